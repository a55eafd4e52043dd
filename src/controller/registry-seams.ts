// The controller's `registry:`: the token endpoint mounted on the front door (and its
// JWKS), the password backends in order, the ACL, refresh-token revocation on the control
// API, and the front-door authenticator for registries reached through an agent.
import type { RegistryConfig } from '../config/registry-config.js';
import type { WebhooksConfig } from '../config/webhooks-config.js';
import { FerryError } from '../errors.js';
import type { LogFn } from '../observability/log-fn.js';
import { FrontDoorTokenPasswords } from '../passwords/front-door-token.js';
import { HtpasswdPasswords } from '../passwords/htpasswd.js';
import { LdapPasswordChecker } from '../passwords/ldap.js';
import { readFile } from 'node:fs/promises';
import { CachedPasswords } from '../passwords/cached-passwords.js';
import { PasswordChain } from '../passwords/password-chain.js';
import { StaticPasswords } from '../passwords/static-users.js';
import type { PasswordChecker } from '../passwords/types.js';
import { VaultKvPasswords } from '../passwords/vault-kv.js';
import { Acl, AclAuthorizer, JwtTokenGenerator, RegistryTunnelAuthenticator, StoredRefreshTokens, TokenServer } from '../registry/index.js';
import type { StateStore } from '../state/store.js';
import type { RevocationList, TokenIssuer, TokenKeyStore } from '../tokens/index.js';
import type { ControlRouteMount } from './control-api/index.js';
import type { Authenticator, LocalHandler } from './front-door/types.js';
import { webhookPasswordsOf } from './front-door/webhook-seams.js';

export interface RegistrySeams {
  handlers: LocalHandler[];
  authenticators: Authenticator[];
  controlRoutes: ControlRouteMount[];
  close(): Promise<void>;
}

export interface RegistrySeamsOptions {
  issuer: TokenIssuer;
  keys: TokenKeyStore;
  revocations: RevocationList;
  store: StateStore;
  webhooks: WebhooksConfig | undefined;
  caPem: string;
  /** frontDoor.publicUrl: the realm clients are sent to (default: the host they asked). */
  publicUrl: string | undefined;
  /** The front door's authenticators (for `ferry-token`), read at each check. */
  frontDoorAuthenticators: () => readonly Authenticator[];
  log: LogFn;
}

export const REGISTRY_CONTROL_PATHS = {
  refreshTokens: '/api/v1/registry/refresh-tokens',
  revoke: '/api/v1/registry/refresh-tokens/revoke',
} as const;

async function backendsOf(config: RegistryConfig, opts: RegistrySeamsOptions): Promise<PasswordChecker[]> {
  const out: PasswordChecker[] = [];
  for (const [i, b] of config.authenticators.entries()) {
    const where = `registry.authenticators[${i}]`;
    switch (b.kind) {
      case 'static':
        out.push(new StaticPasswords(Object.fromEntries(Object.entries(b.users).map(([u, v]) => [u, { hash: v.password, groups: v.groups, labels: v.labels }]))));
        break;
      case 'htpasswd':
        out.push(await new HtpasswdPasswords(b.file).load());
        break;
      case 'webhook':
        out.push(await webhookPasswordsOf(opts.webhooks, where, opts.caPem, opts.log));
        break;
      case 'ldap': {
        const caPem = b.ca === undefined ? undefined : await readFile(b.ca, 'utf8').catch((err: unknown) => {
          throw new FerryError('FERRY_ERR_BAD_CONFIG', `${where}.ca: cannot read ${b.ca}: ${(err as Error).message}`);
        });
        out.push(new LdapPasswordChecker({ ...b, type: 'ldap' }, { log: opts.log, caPem }));
        break;
      }
      case 'ferry-token':
        out.push(new FrontDoorTokenPasswords(opts.frontDoorAuthenticators));
        break;
      case 'vault': {
        const token = b.tokenEnv ? process.env[b.tokenEnv] : undefined;
        if (b.tokenEnv && !token) throw new FerryError('FERRY_ERR_BAD_CONFIG', `${where}.tokenEnv: environment variable ${b.tokenEnv} is not set`);
        out.push(new VaultKvPasswords({ url: b.url, mount: b.mount ?? config.services[0]!, token, timeoutMs: b.timeout * 1000 }));
        break;
      }
    }
  }
  return out;
}

export async function registrySeams(config: RegistryConfig | undefined, opts: RegistrySeamsOptions): Promise<RegistrySeams> {
  if (!config) return { handlers: [], authenticators: [], controlRoutes: [], close: () => Promise.resolve() };
  const chain = new PasswordChain(await backendsOf(config, opts));
  const passwords = new CachedPasswords(chain, config.passwordCacheTtl * 1000);
  const refreshTokens = new StoredRefreshTokens(opts.store);
  const server = new TokenServer({
    authenticator: { authenticate: (u, p) => passwords.check(u, p) },
    authorizer: new AclAuthorizer(new Acl(config.acl)),
    generator: new JwtTokenGenerator({ issuer: opts.issuer, iss: opts.keys.issuer, ttlSeconds: Math.round(config.tokenTtl) }),
    services: config.services,
    refreshTokens,
    refreshTtlSeconds: Math.round(config.refreshTtl),
    jwks: () => opts.keys.jwks(),
    log: opts.log,
  });
  const path = config.path;
  const handler: LocalHandler = {
    path,
    needsCaller: false,
    handle: (req, res) => server.handle(req, res, (req.url ?? '').split('?')[0]!.slice(path.length)),
  };
  const tunnels = config.tunnels.map((t) => {
    const service = t.service ?? config.services[0]!;
    if (!config.services.includes(service)) throw new FerryError('FERRY_ERR_BAD_CONFIG', `registry.tunnels: service ${service} is not in registry.services`);
    return { host: t.host, service, route: { agent: t.agent, type: 'registry', name: t.name } };
  });
  const authenticators: Authenticator[] = [];
  if (tunnels.length > 0) {
    authenticators.push(
      new RegistryTunnelAuthenticator(tunnels, opts.keys, (req) => `${opts.publicUrl?.replace(/\/$/, '') ?? `https://${String(req.headers.host ?? req.headers[':authority'] ?? 'localhost')}`}${path}`, opts.revocations),
    );
  }
  const controlRoutes: ControlRouteMount[] = [
    { path: REGISTRY_CONTROL_PATHS.refreshTokens, method: 'GET', auth: 'control', handle: () => refreshTokens.list() },
    {
      path: REGISTRY_CONTROL_PATHS.revoke,
      method: 'POST',
      auth: 'control',
      handle: async (ctx, body, caller) => {
        const b = (body ?? {}) as { token?: unknown; id?: unknown; subject?: unknown };
        const by = typeof b.token === 'string' ? { token: b.token } : typeof b.id === 'string' ? { id: b.id } : typeof b.subject === 'string' ? { subject: b.subject } : undefined;
        if (!by) throw new FerryError('FERRY_ERR_BAD_INPUT', 'give token, id or subject');
        const revoked = await refreshTokens.revoke(by);
        ctx.log('info', 'control API: registry refresh tokens revoked', { revoked, caller: caller.name, ...(by.subject ? { subject: by.subject } : {}) });
        return { revoked };
      },
    },
  ];
  opts.log('info', 'registry token endpoint mounted', { path, services: config.services, issuer: opts.keys.issuer, backends: chain.checkers.map((c) => c.name), tunnels: tunnels.map((t) => t.host) });
  return { handlers: [handler], authenticators, controlRoutes, close: () => passwords.close() };
}
