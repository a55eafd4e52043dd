// A plain Node (req, res) handler serving the config webhook: POST with the caller,
// answered `{config: {...}}` from onConfig. Same input checks as the auth handler.
import type { LogFn } from '../observability/log-fn.js';
import type { WebhookHandler, WebhookHandlerOptions } from './auth-webhook-handler.js';
import { configRequestSchema, type CallerConfig, type ConfigRequest } from './config-schemas.js';
import { serveWebhook } from './serve-webhook.js';
import type { WebhookRequestContext } from './webhook-request-context.js';

export type ConfigCallback = (request: ConfigRequest, context: WebhookRequestContext) => CallerConfig | Promise<CallerConfig>;

export interface ConfigWebhookHandlerOptions extends Omit<WebhookHandlerOptions, 'basePath'> {
  /** The one path served (404 elsewhere); any path when unset. */
  path?: string;
}

const noLog: LogFn = () => undefined;

export function createConfigWebhookHandler(onConfig: ConfigCallback, options: ConfigWebhookHandlerOptions = {}): WebhookHandler {
  const limit = options.maxBodyBytes ?? 64 * 1024;
  const log = options.log ?? noLog;
  const endpoint = { schema: configRequestSchema, answer: async (body: unknown, context: WebhookRequestContext) => ({ config: await onConfig(body as ConfigRequest, context) }) };
  return (req, res) => void serveWebhook(req, res, (path) => (options.path === undefined || path === options.path ? endpoint : undefined), limit, log);
}
