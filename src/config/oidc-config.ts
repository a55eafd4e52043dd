// The controller's `oidc:` (ID tokens from the company's identity provider become people
// at the front door) and `login:` (ferry's own osprey-compatible password login) sections.
import { z } from 'zod';
import { durationSchema } from './duration.js';
import { ldapConfigSchema, resolveLdapPaths } from './ldap-config.js';

const issuerSchema = z.strictObject({
  /** Exactly as the provider writes `iss` (https://…; http only for loopback with allowPlainHttp). */
  issuer: z.url(),
  /** The audience the ID token must carry: the client id kubectl's login uses. */
  clientId: z.string().min(1),
  /** CA file for the provider's TLS certificate (default: the system's). */
  ca: z.string().min(1).optional(),
  usernameClaim: z.string().min(1).default('sub'),
  /** Put before every username (like the API server's --oidc-username-prefix), e.g. "oidc:". */
  usernamePrefix: z.string().default(''),
  groupsClaim: z.string().min(1).default('groups'),
  groupsPrefix: z.string().default(''),
  /** Clock skew allowed on exp/nbf/iat. */
  leeway: durationSchema.default(30),
  /** How often the JWKS is re-read even without an unknown kid. */
  jwksRefresh: durationSchema.default(600),
  allowPlainHttp: z.boolean().default(false),
});

/** Who may reach which agents and routes. A rule matches a person by user or group (or anyone,
 *  when it names neither); a person may use a route when any rule allows it. */
const accessRuleSchema = z.strictObject({
  users: z.array(z.string().min(1)).optional(),
  groups: z.array(z.string().min(1)).optional(),
  /** Agent names; "*" for all. */
  agents: z.array(z.string().min(1)).min(1).default(['*']),
  /** "type/name" of the routes; "*" or "type/*" as wildcards. */
  routes: z.array(z.string().regex(/^(\*|[a-z0-9-]+\/(\*|[a-z0-9-]+))$/, 'expected "*", "type/*" or "type/name"')).min(1).default(['*']),
});

export const oidcConfigSchema = z.strictObject({
  issuers: z.array(issuerSchema).default([]),
  /** Applies to people from `issuers` and from `login`; none: every person is refused. */
  access: z.array(accessRuleSchema).default([]),
});

const loginClusterSchema = z.strictObject({
  /** The name osprey shows (`LoginResponse.cluster.name`). */
  name: z.string().min(1),
  agent: z.string().min(1),
  service: z.string().min(1).default('default'),
});

export const loginConfigSchema = z.strictObject({
  /** The client id written into users' kubeconfigs and the login token's audience. */
  clientId: z.string().min(1).default('ferry'),
  tokenTtl: durationSchema.default(12 * 3600),
  /** LDAP password backends tried in order (the first that knows the user decides). */
  passwords: z.array(ldapConfigSchema).default([]),
  /** Then ask webhooks.auth's /password (ContainerSSH's JSON) too. */
  webhook: z.boolean().default(false),
  /** The cluster targets /cluster-info and /access-token describe. */
  clusters: z.array(loginClusterSchema).default([]),
  /** Path prefix on the front door (osprey's server serves at its root). */
  path: z.string().regex(/^(\/[A-Za-z0-9._-]+)+$/, 'expected an absolute path such as /login').default('/login'),
}).refine((l) => l.passwords.length > 0 || l.webhook, { message: 'give at least one LDAP backend in passwords, or webhook: true', path: ['passwords'] });

export type OidcConfig = z.infer<typeof oidcConfigSchema>;
export type OidcIssuerConfig = z.infer<typeof issuerSchema>;
export type AccessRule = z.infer<typeof accessRuleSchema>;
export type LoginConfig = z.infer<typeof loginConfigSchema>;

export function resolveOidcPaths(c: OidcConfig | undefined, at: (p: string) => string): OidcConfig | undefined {
  return c && { ...c, issuers: c.issuers.map((i) => ({ ...i, ca: i.ca && at(i.ca) })) };
}

export function resolveLoginPaths(c: LoginConfig | undefined, at: (p: string) => string): LoginConfig | undefined {
  return c && { ...c, passwords: c.passwords.map((p) => resolveLdapPaths(p, at)) };
}
