// What `oidc:` and `login:` add to the front door: the ID-token (and ferry login token)
// authenticator, the people access rules, and osprey's login endpoints.
import { readFile } from 'node:fs/promises';
import type { ControllerConfig } from '../../config/controller-config.js';
import { FerryError, messageOf } from '../../errors.js';
import type { LogFn } from '../../observability/log-fn.js';
import { IssuerVerifier } from '../../oidc/issuer-verifier.js';
import { LdapPasswordChecker } from '../../passwords/ldap.js';
import type { PasswordChecker } from '../../passwords/types.js';
import type { TokenIssuer } from '../../tokens/issuer.js';
import type { TokenVerifier } from '../../tokens/verifier.js';
import { IdTokenAuthenticator } from '../front-door/authenticators/id-token.js';
import { PeopleAccessAuthoriser } from '../front-door/people-access.js';
import type { Authenticator, Authoriser, LocalHandler } from '../front-door/types.js';
import { LoginHandler } from './login-handler.js';

export interface PeopleSeams {
  authenticators: Authenticator[];
  authorisers: Authoriser[];
  handlers: LocalHandler[];
  close(): Promise<void>;
}

export interface PeopleSeamsOptions {
  issuer: TokenIssuer;
  verifier: TokenVerifier;
  /** ferry's own `iss`. */
  issuerName: string;
  caPem: string;
  log: LogFn;
  /** Extra password backends tried after login.passwords (issue 13's, an embedder's). */
  passwordCheckers?: PasswordChecker[];
}

async function readPem(file: string, where: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new FerryError('FERRY_ERR_BAD_CONFIG', `${where}: cannot read ${file}: ${messageOf(err)}`);
  }
}

export async function peopleSeams(config: Pick<ControllerConfig, 'oidc' | 'login' | 'frontDoor'>, opts: PeopleSeamsOptions): Promise<PeopleSeams> {
  const seams: PeopleSeams = { authenticators: [], authorisers: [], handlers: [], close: () => Promise.resolve() };
  const { oidc, login } = config;
  if (!oidc && !login) return seams;
  const verifiers = await Promise.all(
    (oidc?.issuers ?? []).map(async (c, i) => new IssuerVerifier(c, { log: opts.log, caPem: c.ca && (await readPem(c.ca, `oidc.issuers[${i}].ca`)) })),
  );
  const loginTokens = login && { verifier: opts.verifier, issuer: opts.issuerName, audience: login.clientId };
  seams.authenticators.push(new IdTokenAuthenticator(verifiers, loginTokens));
  seams.authorisers.push(new PeopleAccessAuthoriser(oidc?.access ?? [], opts.log));
  const closers: (() => Promise<void>)[] = verifiers.map((v) => () => v.close());
  if (login) {
    const checkers: PasswordChecker[] = await Promise.all(
      login.passwords.map(async (p, i) => new LdapPasswordChecker(p, { log: opts.log, caPem: p.ca && (await readPem(p.ca, `login.passwords[${i}].ca`)) })),
    );
    checkers.push(...(opts.passwordCheckers ?? []));
    closers.push(...checkers.map((c) => () => c.close?.() ?? Promise.resolve()));
    seams.handlers.push(
      new LoginHandler({
        config: login,
        checkers,
        issuer: opts.issuer,
        issuerName: opts.issuerName,
        caPem: opts.caPem,
        publicUrl: config.frontDoor.publicUrl,
        access: oidc?.access ?? [],
        log: opts.log,
      }),
    );
  }
  seams.close = async () => {
    await Promise.all(closers.map((c) => c()));
  };
  return seams;
}
