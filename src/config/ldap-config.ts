// An LDAP password backend as config knows it (a `passwords:` list entry `{ type: ldap, … }`,
// or `login.passwords`). The bind password is never written in the file: a file or an env var.
import { z } from 'zod';
import { durationSchema } from './duration.js';

export const ldapConfigSchema = z.strictObject({
  type: z.literal('ldap').optional(),
  /** ldap://host:389 or ldaps://host:636. */
  url: z.string().regex(/^ldaps?:\/\/[^/]+\/?$/, 'expected ldap://host[:port] or ldaps://host[:port]'),
  /** CA file for ldaps:// or startTls (default: the system's). */
  ca: z.string().min(1).optional(),
  startTls: z.boolean().default(false),
  /** The service account that searches for users (omit for an anonymous search). */
  bindDn: z.string().min(1).optional(),
  bindPassword: z
    .strictObject({ file: z.string().min(1).optional(), env: z.string().min(1).optional() })
    .refine((s) => (s.file === undefined) !== (s.env === undefined), 'set exactly one of file, env')
    .optional(),
  /** Where users live, and how a typed name finds one ({username} is escaped, RFC 4515). */
  userBase: z.string().min(1),
  userFilter: z.string().includes('{username}', { message: 'must contain {username}' }).default('(uid={username})'),
  /** The attribute whose value becomes the identity's subject. */
  usernameAttribute: z.string().min(1).default('uid'),
  groups: z
    .strictObject({
      /** memberOf: read the user's memberOf; search: search groupBase with filter. */
      from: z.enum(['memberOf', 'search']).default('memberOf'),
      base: z.string().min(1).optional(),
      /** {dn} is the user's DN, {username} the subject; both escaped. */
      filter: z.string().default('(member={dn})'),
      nameAttribute: z.string().min(1).default('cn'),
    })
    .refine((g) => g.from !== 'search' || g.base !== undefined, { message: 'groups.base is required when from is search', path: ['base'] })
    .prefault({}),
  /** Attributes copied into the identity's labels (mail, department…). */
  labels: z.array(z.string().min(1)).default(['mail']),
  timeout: durationSchema.default(5),
});

export type LdapConfig = z.infer<typeof ldapConfigSchema>;

export function resolveLdapPaths(c: LdapConfig, at: (p: string) => string): LdapConfig {
  return {
    ...c,
    ca: c.ca && at(c.ca),
    bindPassword: c.bindPassword && { ...c.bindPassword, file: c.bindPassword.file && at(c.bindPassword.file) },
  };
}
