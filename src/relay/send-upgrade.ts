// The relay's sending side for an HTTP/1.1 Upgrade (WebSocket, SPDY/3.1) through a tunnel stream. The
// upstream's status comes back untouched, so kubectl can fall back from WebSocket to
// SPDY; after 101 both directions are raw bytes, and End is a half-close.
import type { Duplex } from 'node:stream';
import { STATUS_CODES } from 'node:http';
import { FerryError } from '../errors.js';
import { cleanHeaders } from './headers.js';
import { pumpToTunnel, writeFromTunnel } from '../tunnel/pump.js';
import type { FrameHandler, TunnelStream } from '../tunnel/tunnel-stream.js';
import type { FrameIn, HeaderIn, RequestHead } from '../tunnel/types.js';
import { sendSocketError } from './http-error.js';
import { responseHeadProblem } from './response-head-check.js';
import type { SendHooks } from './send-request.js';

/** Header text from the agent is written raw: refuse anything that could split it. */
const SAFE_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const SAFE_VALUE = /^[^\r\n\0]*$/;

function statusLine(status: number, headers: readonly HeaderIn[]): string {
  if (!Number.isInteger(status) || status < 100 || status > 599) throw new Error(`bad status ${status}`);
  let text = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n`;
  for (const h of headers) {
    if (!SAFE_NAME.test(h.name) || !SAFE_VALUE.test(h.value)) throw new Error(`bad header ${JSON.stringify(h.name)}`);
    text += `${h.name}: ${h.value}\r\n`;
  }
  return `${text}\r\n`;
}

export function sendUpgrade(socket: Duplex, early: Buffer, stream: TunnelStream, head: RequestHead, hooks: SendHooks): void {
  let finished = false;
  let upgraded = false;
  let answered = false;
  let detachPump: (() => void) | undefined;

  const finish = () => {
    if (finished) return;
    finished = true;
    detachPump?.();
    // An upgraded stream never goes back to the pool: its bytes were not HTTP.
    stream.close();
    hooks.discard(stream);
    hooks.onDone?.(upgraded ? 101 : 'error');
  };

  const onFrameInOrder = (frame: FrameIn) => {
    switch (frame.kind) {
      case 'response': {
        const r = frame.response!;
        const problem = responseHeadProblem(r, true);
        if (problem) {
          answered = true;
          hooks.onProtocolError?.(`invalid response head: ${problem}`);
          finished = true;
          detachPump?.();
          stream.abort('protocol error');
          hooks.discard(stream);
          hooks.onDone?.('error');
          sendSocketError(socket, new FerryError('FERRY_ERR_AGENT_LOST', `agent broke the tunnel protocol: invalid response head: ${problem}`));
          break;
        }
        answered = true;
        if (r.status === 101) {
          upgraded = true;
          socket.write(statusLine(101, cleanHeaders(r.headers, { keepUpgrade: true })));
          if (early.length > 0) stream.send({ data: early });
          detachPump = pumpToTunnel(socket, stream, { onBytes: (n) => hooks.onBytes?.('in', n), batch: false });
        } else {
          // Not upgraded: a plain response, delimited by closing the connection.
          const headers = cleanHeaders(r.headers).filter((h) => h.name.toLowerCase() !== 'content-length');
          headers.push({ name: 'connection', value: 'close' });
          socket.write(statusLine(r.status, headers));
        }
        if (r.body.length > 0) socket.write(r.body);
        if (r.bodyComplete && !upgraded) {
          socket.end();
          finish();
        }
        break;
      }
      case 'data':
        hooks.onBytes?.('out', frame.data!.length);
        writeFromTunnel(socket, stream, frame.data!);
        break;
      case 'end':
        // Half-close: the upstream finished sending; the client may still talk.
        socket.end();
        if (!upgraded) finish();
        break;
      default:
        socket.destroy();
        finish();
    }
  };

  const protocolError = (reason: string) => {
    if (finished) return;
    hooks.onProtocolError?.(reason);
    socket.destroy();
    stream.abort('protocol error');
    finish();
  };

  const handler: FrameHandler = {
    onFrame(frame: FrameIn) {
      // Order: one response head first; data and end only after it.
      const headSeen = upgraded || answered;
      if (frame.kind === 'response' ? headSeen : !headSeen && frame.kind !== 'reset') {
        protocolError(`unexpected ${frame.kind ?? 'empty'} frame`);
        return;
      }
      try {
        onFrameInOrder(frame);
      } catch (err) {
        protocolError(err instanceof Error ? err.message : String(err));
      }
    },
    onClosed(reason: string) {
      if (finished) return;
      finished = true;
      detachPump?.();
      hooks.discard(stream);
      // The upstream already ended cleanly (End came first): let the socket flush what it
      // still holds instead of cutting the tail of exec or cp output.
      if (upgraded && socket.writableEnded) {
        hooks.onDone?.(101);
        return;
      }
      if (!upgraded && socket.writable) sendSocketError(socket, new FerryError('FERRY_ERR_AGENT_LOST', `agent connection lost: ${reason}`));
      else socket.destroy();
      hooks.onDone?.('error');
    },
  };
  stream.attach(handler);
  socket.on('error', () => undefined);
  socket.on('close', () => {
    if (finished) return;
    stream.send({ reset: { code: 'CANCEL', reason: 'client went away' } });
    stream.abort('client went away');
    finish();
  });
  head.upgrade = true;
  head.bodyComplete = true;
  stream.send({ request: head });
}
