// Small HTTP helpers for the control API: bounded JSON bodies, JSON answers, and errors
// (ferry's {code, message} body is a superset of birger's {message}).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FerryError } from '../../errors.js';
import { sendError } from '../../relay/http-error.js';

// Control requests are small (a CSR is ~500 bytes); anything bigger is refused unread.
const MAX_BODY_BYTES = 64 * 1024;

export function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      // Keep reading (and dropping) the rest, so the 413 reaches a client still sending.
      if (size > MAX_BODY_BYTES) {
        failed = true;
        reject(new FerryError('FERRY_ERR_BODY_TOO_LARGE', `request body exceeds ${MAX_BODY_BYTES} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', (err) => {
      failed = true;
      reject(new FerryError('FERRY_ERR_BAD_INPUT', `request body could not be read: ${err.message}`));
    });
    req.on('end', () => {
      if (failed) return;
      const text = Buffer.concat(chunks).toString('utf8').trim();
      if (text === '') return resolve({});
      try {
        resolve(JSON.parse(text) as unknown);
      } catch {
        reject(new FerryError('FERRY_ERR_BAD_INPUT', 'request body is not valid JSON'));
      }
    });
  });
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    // Credentials are in these bodies: nothing in between may keep a copy.
    'cache-control': 'no-store',
  });
  res.end(text);
}

export function sendControlError(res: ServerResponse, err: unknown): number {
  return sendError(res, err, { realm: 'ferry-control' });
}
