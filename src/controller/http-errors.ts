// One way to answer an error on the front door: status from the error code, JSON body.
import type { ServerResponse } from 'node:http';
import type { Http2ServerResponse } from 'node:http2';
import type { Duplex } from 'node:stream';
import { STATUS_CODES } from 'node:http';
import { errorBody, httpStatusOf } from '../errors.js';

export type AnyResponse = ServerResponse | Http2ServerResponse;

export function sendError(res: AnyResponse, err: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify(errorBody(err));
  const status = httpStatusOf(err);
  const extra: Record<string, string> = status === 401 ? { 'www-authenticate': 'Bearer realm="ferry"' } : {};
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...extra });
  res.end(body);
}

/** For an upgrade request the socket is raw: write a whole HTTP/1.1 response and close. */
export function sendSocketError(socket: Duplex, err: unknown): void {
  const body = JSON.stringify(errorBody(err));
  const status = httpStatusOf(err);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\ncontent-type: application/json\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}
