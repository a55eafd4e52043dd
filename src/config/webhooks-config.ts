// The controller's `webhooks:` section: delegate front-door credential checks and route
// decisions to the operator's own HTTP service (ContainerSSH's auth webhook protocol).
import { z } from 'zod';
import { durationSchema } from './duration.js';

// How ferry reaches one webhook: where, with which TLS material, and how patiently.
const endpointShape = {
  /** https unless allowPlainHttp. */
  url: z.url(),
  /** CA file the webhook's server certificate must chain to (default: ferry's CA). */
  ca: z.string().min(1).optional(),
  /** Client certificate and key files for mutual TLS (ferry's CA can issue them). */
  cert: z.string().min(1).optional(),
  key: z.string().min(1).optional(),
  timeout: durationSchema.default(5),
  retryInterval: durationSchema.default(1),
  /** A failing webhook is retried until this long after the first try, then the request is refused. */
  deadline: durationSchema.default(15),
  /** How long an answer is reused for the same credential. */
  cacheTtl: durationSchema.default(10),
  allowPlainHttp: z.boolean().default(false),
};

/** The auth webhook: `/password`, `/token` and `/authz` are appended to its url. */
export const authWebhookConfigSchema = z.strictObject({
  ...endpointShape,
  /** Which checks go to the webhook; a method switched off never calls it. */
  methods: z
    .strictObject({ password: z.boolean().default(true), token: z.boolean().default(true), authz: z.boolean().default(true) })
    .prefault({}),
});

/** The config webhook: per person, which agents and routes, impersonation, a request rate. */
export const configWebhookConfigSchema = z.strictObject(endpointShape);

export const webhooksConfigSchema = z.strictObject({ auth: authWebhookConfigSchema.optional(), config: configWebhookConfigSchema.optional() });

export type WebhooksConfig = z.infer<typeof webhooksConfigSchema>;

/** Relative file paths are read from the config file's folder. */
export function resolveWebhookPaths(w: WebhooksConfig | undefined, at: (p: string) => string): WebhooksConfig | undefined {
  if (!w) return w;
  const files = <E extends { ca?: string | undefined; cert?: string | undefined; key?: string | undefined }>(e: E | undefined): E | undefined =>
    e && { ...e, ca: e.ca && at(e.ca), cert: e.cert && at(e.cert), key: e.key && at(e.key) };
  return { auth: files(w.auth), config: files(w.config) };
}
