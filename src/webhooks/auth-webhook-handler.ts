// A plain Node (req, res) handler serving the auth webhook: `POST {basePath}/password`,
// `/pubkey`, `/authz`, and ferry's `/token` and `/certificate`. Input is checked against
// the schemas (400 on a malformed body, 413 over the size limit, 404 on an unknown path
// or an endpoint with no callback, 405 on another method). A callback that throws gives
// 500, which the client treats as temporary and asks again.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import { messageOf } from '../errors.js';
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
import { readJsonBody, sendJson } from './read-json-body.js';
import { contextOf, pathOf, type WebhookRequestContext } from './webhook-request-context.js';

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

interface Endpoint {
  schema: z.ZodType;
  call: (body: unknown, context: WebhookRequestContext) => AuthVerdict | Promise<AuthVerdict>;
}

export function createAuthWebhookHandler(callbacks: AuthWebhookCallbacks, options: WebhookHandlerOptions = {}): WebhookHandler {
  const base = (options.basePath ?? '').replace(/\/+$/, '');
  const limit = options.maxBodyBytes ?? 64 * 1024;
  const log = options.log ?? noLog;
  const endpoints = new Map<string, Endpoint>();
  const add = <S extends z.ZodType>(name: string, schema: S, call: ((body: z.output<S>, context: WebhookRequestContext) => AuthVerdict | Promise<AuthVerdict>) | undefined) => {
    if (call) endpoints.set(`${base}/${name}`, { schema, call: call as Endpoint['call'] });
  };
  add('password', passwordRequestSchema, (body, context) => callbacks.onPassword({ ...body, password: Buffer.from(body.passwordBase64, 'base64').toString('utf8') }, context));
  add('authz', authzRequestSchema, callbacks.onAuthz);
  add('pubkey', publicKeyRequestSchema, callbacks.onPublicKey);
  add('token', tokenRequestSchema, callbacks.onToken);
  add('certificate', certificateRequestSchema, callbacks.onCertificate);
  return (req, res) => void serve(req, res, endpoints, limit, log);
}

async function serve(req: IncomingMessage, res: ServerResponse, endpoints: Map<string, Endpoint>, limit: number, log: LogFn): Promise<void> {
  const path = pathOf(req.url);
  const endpoint = endpoints.get(path);
  if (endpoint === undefined) {
    req.resume();
    return sendJson(res, 404, { error: `no webhook endpoint at ${path}` });
  }
  if (req.method !== 'POST') {
    req.resume();
    res.setHeader('allow', 'POST');
    return sendJson(res, 405, { error: 'only POST' });
  }
  const body = await readJsonBody(req, limit);
  if (!body.ok) {
    log('warn', 'webhook request refused', { path, status: body.status, reason: body.reason });
    if (body.status === 413) res.setHeader('connection', 'close');
    return sendJson(res, body.status, { error: body.reason });
  }
  const parsed = endpoint.schema.safeParse(body.value);
  if (!parsed.success) {
    // The issue's path and message only: never the value (it may be the password).
    const first = parsed.error.issues[0];
    const reason = `${first?.path.join('.') || 'body'}: ${first?.message ?? 'invalid'}`;
    log('warn', 'webhook request refused', { path, status: 400, reason });
    return sendJson(res, 400, { error: reason });
  }
  try {
    const verdict = await endpoint.call(parsed.data, contextOf(req, path));
    sendJson(res, 200, typeof verdict === 'boolean' ? { success: verdict } : verdict);
  } catch (err) {
    log('warn', 'webhook callback failed', { path, reason: messageOf(err) });
    sendJson(res, 500, { error: 'webhook callback failed' });
  }
}
