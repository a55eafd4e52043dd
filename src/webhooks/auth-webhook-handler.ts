// A plain Node (req, res) handler serving the auth webhook: `POST {basePath}/password`,
// `/pubkey`, `/authz`, and ferry's `/token` and `/certificate`. Input is checked against
// the schemas (400 on a malformed body, 413 over the size limit, 404 on an unknown path
// or an endpoint with no callback, 405 on another method). A callback that throws gives
// 500, which the client treats as temporary and asks again.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import type { LogFn } from '../observability/log-fn.js';
import {
  authzRequestSchema,
  certificateRequestSchema,
  passwordRequestSchema,
  publicKeyRequestSchema,
  tokenRequestSchema,
  type AuthAnswer,
  type AuthzRequest,
  type CertificateRequest,
  type PasswordRequest,
  type PublicKeyRequest,
  type TokenRequest,
} from './auth-schemas.js';
import { serveWebhook, type WebhookEndpoint } from './serve-webhook.js';
import type { WebhookRequestContext } from './webhook-request-context.js';

/** An answer, or just the verdict (true → `{success: true}`). */
export type AuthVerdict = AuthAnswer | boolean;
type Callback<R> = (request: R, context: WebhookRequestContext) => AuthVerdict | Promise<AuthVerdict>;

/** The password request, with the password decoded (UTF-8) for convenience. */
export type DecodedPasswordRequest = PasswordRequest & { password: string };

export interface AuthWebhookCallbacks {
  onPassword: Callback<DecodedPasswordRequest>;
  onAuthz: Callback<AuthzRequest>;
  onPublicKey?: Callback<PublicKeyRequest>;
  onToken?: Callback<TokenRequest>;
  onCertificate?: Callback<CertificateRequest>;
}

export interface WebhookHandlerOptions {
  /** Prefix the endpoints are served under ('' by default: `/password`…). */
  basePath?: string;
  /** Default 64 KiB. */
  maxBodyBytes?: number;
  log?: LogFn;
}

export type WebhookHandler = (req: IncomingMessage, res: ServerResponse) => void;

const noLog: LogFn = () => undefined;

export function createAuthWebhookHandler(callbacks: AuthWebhookCallbacks, options: WebhookHandlerOptions = {}): WebhookHandler {
  const base = (options.basePath ?? '').replace(/\/+$/, '');
  const limit = options.maxBodyBytes ?? 64 * 1024;
  const log = options.log ?? noLog;
  const endpoints = new Map<string, WebhookEndpoint>();
  const add = <S extends z.ZodType>(name: string, schema: S, call: ((body: z.output<S>, context: WebhookRequestContext) => AuthVerdict | Promise<AuthVerdict>) | undefined) => {
    if (!call) return;
    const answer = async (body: unknown, context: WebhookRequestContext) => {
      const verdict = await call(body as z.output<S>, context);
      return typeof verdict === 'boolean' ? { success: verdict } : verdict;
    };
    endpoints.set(`${base}/${name}`, { schema, answer });
  };
  add('password', passwordRequestSchema, (body, context) => callbacks.onPassword({ ...body, password: Buffer.from(body.passwordBase64, 'base64').toString('utf8') }, context));
  add('authz', authzRequestSchema, callbacks.onAuthz);
  add('pubkey', publicKeyRequestSchema, callbacks.onPublicKey);
  add('token', tokenRequestSchema, callbacks.onToken);
  add('certificate', certificateRequestSchema, callbacks.onCertificate);
  return (req, res) => void serveWebhook(req, res, (path) => endpoints.get(path), limit, log);
}
