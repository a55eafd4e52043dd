// A plain Node (req, res) handler serving the config webhook: POST with the caller,
// answered `{config: {...}}` from onConfig. Same input checks as the auth handler.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { messageOf } from '../errors.js';
import type { LogFn } from '../observability/log-fn.js';
import type { WebhookHandler, WebhookHandlerOptions } from './auth-webhook-handler.js';
import { configRequestSchema, type CallerConfig, type ConfigRequest } from './config-schemas.js';
import { readJsonBody, sendJson } from './read-json-body.js';
import { contextOf, pathOf, type WebhookRequestContext } from './webhook-request-context.js';

export type ConfigCallback = (request: ConfigRequest, context: WebhookRequestContext) => CallerConfig | Promise<CallerConfig>;

export interface ConfigWebhookHandlerOptions extends Omit<WebhookHandlerOptions, 'basePath'> {
  /** The one path served (404 elsewhere); any path when unset. */
  path?: string;
}

const noLog: LogFn = () => undefined;

export function createConfigWebhookHandler(onConfig: ConfigCallback, options: ConfigWebhookHandlerOptions = {}): WebhookHandler {
  const limit = options.maxBodyBytes ?? 64 * 1024;
  const log = options.log ?? noLog;
  return (req, res) => void serve(req, res, onConfig, options.path, limit, log);
}

async function serve(req: IncomingMessage, res: ServerResponse, onConfig: ConfigCallback, only: string | undefined, limit: number, log: LogFn): Promise<void> {
  const path = pathOf(req.url);
  if (only !== undefined && path !== only) {
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
  const parsed = configRequestSchema.safeParse(body.value);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const reason = `${first?.path.join('.') || 'body'}: ${first?.message ?? 'invalid'}`;
    log('warn', 'webhook request refused', { path, status: 400, reason });
    return sendJson(res, 400, { error: reason });
  }
  try {
    sendJson(res, 200, { config: await onConfig(parsed.data, contextOf(req, path)) });
  } catch (err) {
    log('warn', 'webhook callback failed', { path, reason: messageOf(err) });
    sendJson(res, 500, { error: 'webhook callback failed' });
  }
}
