// The credential kinds a service can present: none, basic, bearer, token
// (`Authorization: Token …`) and a client certificate. Each is built from watched secrets,
// so a rotated file takes effect on the next request.
import { X509Certificate, createHash, createPrivateKey } from 'node:crypto';
import type { SecretSource } from '../config/agent-config.js';
import type { CredentialConfig } from './service-config.js';
import { SecretValue, type SecretValueOptions } from './credentials.js';

export type SecretOptions = Omit<SecretValueOptions, 'label' | 'trim'>;

export interface ServiceCredential {
  readonly kind: CredentialConfig['kind'];
  readonly secrets: readonly SecretValue[];
  /** The Authorization header value, if this kind sends one. */
  authorization(): string | undefined;
  /** PEM certificate and key, if this kind is a client certificate. */
  clientIdentity(): { cert: string; key: string } | undefined;
  /** Why the credential cannot be used (beyond missing files), e.g. a key that does not parse. */
  problem(): string | undefined;
}

export function secretProblem(secrets: readonly SecretValue[]): string | undefined {
  for (const s of secrets) if (s.problem !== undefined) return s.problem;
  return undefined;
}

/** Checks a PEM pair without quoting it: parse errors name the file, never the content. */
function identityProblem(label: string, cert: string, key: string): string | undefined {
  try {
    new X509Certificate(cert);
  } catch {
    return `${label} client certificate is not a PEM certificate`;
  }
  try {
    createPrivateKey(key);
  } catch {
    return `${label} client key is not a PEM private key`;
  }
  return undefined;
}

export function buildCredential(cfg: CredentialConfig | undefined, label: string, opts: SecretOptions): ServiceCredential {
  const secret = (source: SecretSource, what: string, trim = true) =>
    new SecretValue(source, { ...opts, label: `${label} ${what}`, trim });
  switch (cfg?.kind) {
    case undefined:
    case 'none':
      return { kind: 'none', secrets: [], authorization: () => undefined, clientIdentity: () => undefined, problem: () => undefined };
    case 'basic': {
      const user = typeof cfg.username === 'string' ? undefined : secret(cfg.username, 'username');
      const fixedUser = typeof cfg.username === 'string' ? cfg.username : undefined;
      const password = secret(cfg.password, 'password');
      const secrets = user ? [user, password] : [password];
      return {
        kind: 'basic',
        secrets,
        authorization: () => `Basic ${Buffer.from(`${fixedUser ?? user!.get()}:${password.get()}`).toString('base64')}`,
        clientIdentity: () => undefined,
        problem: () => secretProblem(secrets),
      };
    }
    case 'bearer':
    case 'token': {
      const token = secret(cfg.token, 'token');
      const scheme = cfg.kind === 'bearer' ? 'Bearer' : 'Token';
      return {
        kind: cfg.kind,
        secrets: [token],
        authorization: () => `${scheme} ${token.get()}`,
        clientIdentity: () => undefined,
        problem: () => token.problem,
      };
    }
    case 'clientCertificate': {
      const cert = secret(cfg.cert, 'client certificate', false);
      const key = secret(cfg.key, 'client key', false);
      let checked = '';
      let verdict: string | undefined;
      return {
        kind: 'clientCertificate',
        secrets: [cert, key],
        authorization: () => undefined,
        clientIdentity: () => ({ cert: cert.get(), key: key.get() }),
        problem: () => {
          const missing = secretProblem([cert, key]);
          if (missing !== undefined) return missing;
          // Parse once per rotation, not per request.
          const now = createHash('sha256').update(cert.get()).update('\0').update(key.get()).digest('hex');
          if (now !== checked) {
            checked = now;
            verdict = identityProblem(label, cert.get(), key.get());
          }
          return verdict;
        },
      };
    }
  }
}
