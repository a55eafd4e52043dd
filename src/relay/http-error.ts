// Writes an error answer (errors.ts's errorAnswer) on each kind of HTTP surface ferry has:
// a response (HTTP/1.1 or h2), or the raw socket of an upgrade request.
import { STATUS_CODES, type ServerResponse } from 'node:http';
import { constants as h2, type Http2ServerResponse } from 'node:http2';
import type { Duplex } from 'node:stream';
import { errorAnswer, type ErrorAnswerOptions } from '../errors.js';

export type AnyResponse = ServerResponse | Http2ServerResponse;

/** Answers `err` on `res`, or cuts the response when its head already went out. Returns the status. */
export function sendError(res: AnyResponse, err: unknown, options?: ErrorAnswerOptions): number {
  const answer = errorAnswer(err, options);
  if (res.headersSent) {
    abortResponse(res, 'internal');
    return answer.status;
  }
  res.writeHead(answer.status, answer.headers);
  res.end(answer.body);
  return answer.status;
}

/** For an upgrade request the socket is raw: write a whole HTTP/1.1 response and close. */
export function sendSocketError(socket: Duplex, err: unknown, options?: ErrorAnswerOptions): void {
  const answer = errorAnswer(err, options);
  let head = `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status] ?? ''}\r\n`;
  for (const [name, value] of Object.entries(answer.headers)) head += `${name}: ${value}\r\n`;
  socket.end(`${head}connection: close\r\n\r\n${answer.body}`);
}

/**
 * Ends a response whose head already went out so that the client sees an error, never a
 * clean end: HTTP/1.1 loses the connection before the final chunk; h2 gets RST_STREAM with
 * INTERNAL_ERROR (the agent or upstream failed) or CANCEL (the request was given up).
 * A bare destroy() of an h2 response resets with NO_ERROR, which clients read as success.
 */
export function abortResponse(res: AnyResponse, why: 'internal' | 'cancel'): void {
  if ('stream' in res && res.stream) {
    const stream = res.stream;
    if (!stream.destroyed) stream.close(why === 'cancel' ? h2.NGHTTP2_CANCEL : h2.NGHTTP2_INTERNAL_ERROR);
    return;
  }
  res.destroy();
}
