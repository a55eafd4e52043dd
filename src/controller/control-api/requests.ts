// What each control API call accepts. Names must be DNS-safe (they end up in URIs,
// certificate SANs, kubeconfig names and Kubernetes object names); anything else is
// refused with a 400 before a credential is made.
import { z } from 'zod';
import { FerryError } from '../../errors.js';
import { isDnsSafeName, isGroupName } from '../../pki/index.js';

const dnsName = (what: string) =>
  z.string({ error: `${what} is required` }).refine(isDnsSafeName, {
    error: (iss) => `invalid ${what} ${JSON.stringify(String(iss.input).slice(0, 80))}: use 1-63 lowercase letters, digits or '-'`,
  });

const group = z.string().refine(isGroupName, { error: (iss) => `invalid group ${JSON.stringify(String(iss.input).slice(0, 80))}` });

export const kubectlRequest = z.strictObject({
  agent: dnsName('agent name'),
  name: dnsName('service name'),
  user: dnsName('user name').optional(),
  groups: z.array(group).max(32).optional(),
  namespace: dnsName('namespace').optional(),
});

export const serviceRequest = z.strictObject({
  agent: dnsName('agent name'),
  type: dnsName('service type'),
  name: dnsName('service name'),
});

export const onboardRequest = z.strictObject({
  agent: dnsName('agent name'),
  namespace: dnsName('namespace').optional(),
  image: z.string().min(1).max(256).optional(),
  /** host:port the agent dials; default: the front door's host and the agent port. */
  controllerAddress: z.string().min(1).max(256).optional(),
});

export const controlRequest = z.strictObject({ name: dnsName('control name') });

export const revokeRequest = z
  .strictObject({
    jti: z.string().min(1).max(256).optional(),
    serial: z.string().regex(/^[0-9a-fA-F:]{1,128}$/, 'serial must be hex digits').optional(),
    /** The token itself: its jti is read from it (unverified: the signature does not matter for a deny entry). */
    token: z.string().min(1).max(16_384).optional(),
  })
  .refine((r) => [r.jti, r.serial, r.token].filter((v) => v !== undefined).length === 1, {
    error: 'give exactly one of jti, serial or token',
  });

export const bootstrapRequest = z.strictObject({ csr: z.string().min(1).max(16_384) });

/** Parses `body` with `schema`, turning the first problem into a FERRY_ERR_BAD_INPUT. */
export function parseRequest<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  throw new FerryError('FERRY_ERR_BAD_INPUT', `${where}${issue?.message ?? 'invalid request'}`);
}
