// One webhook request, checked the same way at every endpoint: 404 where no endpoint is,
// 405 unless POST, 413 over the size limit, 400 on a body the schema refuses (naming the
// field, never its value: it may be a password), 500 when the callback throws (the client
// treats that as temporary and asks again).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import { messageOf } from '../errors.js';
import type { LogFn } from '../observability/log-fn.js';
import { readJsonBody, sendJson } from './read-json-body.js';
import { contextOf, pathOf, type WebhookRequestContext } from './webhook-request-context.js';

export interface WebhookEndpoint {
  schema: z.ZodType;
  /** The 200 answer's JSON body for a request the schema accepted. */
  answer: (body: unknown, context: WebhookRequestContext) => unknown;
}

export async function serveWebhook(
  req: IncomingMessage,
  res: ServerResponse,
  endpointAt: (path: string) => WebhookEndpoint | undefined,
  limit: number,
  log: LogFn,
): Promise<void> {
  const path = pathOf(req.url);
  const endpoint = endpointAt(path);
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
    const first = parsed.error.issues[0];
    const reason = `${first?.path.join('.') || 'body'}: ${first?.message ?? 'invalid'}`;
    log('warn', 'webhook request refused', { path, status: 400, reason });
    return sendJson(res, 400, { error: reason });
  }
  try {
    sendJson(res, 200, await endpoint.answer(parsed.data, contextOf(req, path)));
  } catch (err) {
    log('warn', 'webhook callback failed', { path, reason: messageOf(err) });
    sendJson(res, 500, { error: 'webhook callback failed' });
  }
}
