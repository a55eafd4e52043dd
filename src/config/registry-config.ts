// The controller's `registry:` section: the docker registry token endpoint on the front
// door, its password backends in order, its ACL (docker_auth's), and registries inside
// private networks reached through an agent by host name.
import { isIP } from 'node:net';
import { z } from 'zod';
import { durationSchema } from './duration.js';
import { ldapConfigSchema, resolveLdapPaths } from './ldap-config.js';

/** Glob or `/regex/`: a regex must compile. */
const pattern = z.string().superRefine((p, ctx) => {
  if (p.length >= 2 && p.startsWith('/') && p.endsWith('/')) {
    try {
      new RegExp(p.slice(1, -1).replace(/\$\{[^}]*\}/g, 'x'));
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `bad regular expression: ${(err as Error).message}` });
    }
  }
});

const ipOrCidr = z.string().superRefine((s, ctx) => {
  const [addr, bits, more] = s.split('/');
  const family = isIP(addr ?? '');
  const max = family === 4 ? 32 : 128;
  const ok = family !== 0 && more === undefined && (bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= max));
  if (!ok) ctx.addIssue({ code: 'custom', message: 'expected an IP address or a CIDR block (10.0.0.0/8)' });
});

const aclRule = z.strictObject({
  match: z
    .strictObject({
      account: pattern.optional(),
      type: pattern.optional(),
      name: pattern.optional(),
      service: pattern.optional(),
      ip: ipOrCidr.optional(),
      labels: z.record(z.string(), pattern).optional(),
    })
    .prefault({}),
  /** `*` grants whatever was asked; `[]` denies. */
  actions: z.array(z.string().min(1)),
  comment: z.string().optional(),
});

const bcryptHash = z.string().regex(/^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/, 'expected a bcrypt hash ($2y$…; htpasswd -nB user)');

const staticUser = z.strictObject({
  password: bcryptHash,
  groups: z.array(z.string().min(1)).default([]),
  labels: z.record(z.string(), z.array(z.string())).optional(),
});

const passwordBackend = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('static'), users: z.record(z.string().min(1), staticUser) }),
  z.strictObject({ kind: z.literal('htpasswd'), file: z.string().min(1) }),
  /** The controller's `webhooks.auth` client, its `/password` check. */
  z.strictObject({ kind: z.literal('webhook') }),
  /** A token the front door accepts (`ferry user` login, service token) used as the password. */
  z.strictObject({ kind: z.literal('ferry-token') }),
  /** The LDAP checker (bind, groups → labels.group): its settings as in `login.passwords`. */
  ldapConfigSchema.omit({ type: true }).extend({ kind: z.literal('ldap') }),
  z.strictObject({
    kind: z.literal('vault'),
    url: z.url(),
    /** godoauth mounts a KV per service; default: the registry's first service. */
    mount: z.string().min(1).optional(),
    /** Environment variable holding the Vault token (none when an agent route adds it). */
    tokenEnv: z.string().min(1).optional(),
    timeout: durationSchema.default(5),
  }),
]);

/** A registry inside a private network, served at the front door's root for this host. */
const tunnelRegistry = z.strictObject({
  /** The host name clients use (the front door's certificate must name it). */
  host: z.string().min(1),
  /** The agent and its `registry` service carrying the requests. */
  agent: z.string().min(1),
  name: z.string().min(1),
  /** The service whose tokens this registry accepts (default: the first of `services`). */
  service: z.string().min(1).optional(),
});

export const registryConfigSchema = z.strictObject({
  /** The token endpoint's path on the front door; its JWKS is at `<path>/jwks.json`. */
  path: z.string().regex(/^\/[^?#]*[^/?#]$/, "a path starting with '/', without a trailing '/'").default('/registry/auth'),
  /** Registry service names (the token's `aud`, the registry's `auth.token.service`). */
  services: z.array(z.string().min(1)).min(1),
  tokenTtl: durationSchema.refine((s) => s >= 60, 'at least 60s (clients refuse shorter tokens)').default(300),
  refreshTtl: durationSchema.default(30 * 86400),
  /** How long a successful password check is remembered (bcrypt is slow); 0 turns it off. */
  passwordCacheTtl: durationSchema.default(60),
  /** Password backends, asked in order. */
  authenticators: z.array(passwordBackend).default([]),
  acl: z.array(aclRule).default([]),
  tunnels: z.array(tunnelRegistry).default([]),
});

export type RegistryConfig = z.infer<typeof registryConfigSchema>;

/** htpasswd files are read from the config file's folder. */
export function resolveRegistryPaths(r: RegistryConfig | undefined, at: (p: string) => string): RegistryConfig | undefined {
  if (!r) return r;
  return { ...r, authenticators: r.authenticators.map((a) => (a.kind === 'htpasswd' ? { ...a, file: at(a.file) } : a.kind === 'ldap' ? { ...resolveLdapPaths(a, at), kind: 'ldap' as const } : a)) };
}
