// Reads a webhook request's JSON body with a size limit. Over the limit, the rest is read
// and dropped so the client gets a clean 413 rather than a reset; past a hard ceiling the
// connection is cut instead.
import type { IncomingMessage, ServerResponse } from 'node:http';

export type BodyResult = { ok: true; value: unknown } | { ok: false; status: 400 | 413; reason: string };

const HARD_CEILING = 64 * 1024 * 1024;

export function readJsonBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  return new Promise((resolve) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    const chunks: Buffer[] = [];
    let size = 0;
    let over = declared > limit;
    let done = false;
    const finish = (result: BodyResult) => {
      if (done) return;
      done = true;
      resolve(result);
    };
    if (declared > HARD_CEILING) {
      finish({ ok: false, status: 413, reason: `body of ${declared} bytes is over the ${limit}-byte limit` });
      req.destroy();
      return;
    }
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > HARD_CEILING) {
        finish({ ok: false, status: 413, reason: `body is over the ${limit}-byte limit` });
        req.destroy();
        return;
      }
      if (size > limit) over = true;
      if (!over) chunks.push(chunk);
    });
    req.on('error', () => finish({ ok: false, status: 400, reason: 'request body could not be read' }));
    req.on('end', () => {
      if (over) return finish({ ok: false, status: 413, reason: `body of ${size} bytes is over the ${limit}-byte limit` });
      try {
        finish({ ok: true, value: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown });
      } catch {
        finish({ ok: false, status: 400, reason: 'body is not JSON' });
      }
    });
  });
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
