// Carries one ordinary HTTP request (h1 or h2) from the front door through a borrowed
// tunnel stream and streams the response back. Both directions flow with backpressure.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest } from 'node:http2';
import { FerryError } from '../errors.js';
import { cleanResponseHeaders, toNodeHeaders } from '../tunnel/headers.js';
import { pumpToTunnel, writeFromTunnel } from '../tunnel/pump.js';
import type { FrameHandler, TunnelStream } from '../tunnel/tunnel-stream.js';
import type { FrameIn, Header, RequestHead } from '../tunnel/types.js';
import { sendError, type AnyResponse } from './http-errors.js';

export type AnyRequest = IncomingMessage | Http2ServerRequest;

export interface ProxyHooks {
  /** The exchange finished cleanly both ways: the stream may serve another request. */
  release(stream: TunnelStream): void;
  /** The stream is unusable (aborted or broken). */
  discard(stream: TunnelStream): void;
  onBytes?(direction: 'in' | 'out', n: number): void;
  onDone?(status: number | 'error'): void;
  /** The agent sent a frame out of order or one that cannot be answered; the stream is closed. */
  onProtocolError?(reason: string): void;
}

/** Does a body follow the head? (h2 says so with END_STREAM on the HEADERS frame.) */
function hasBody(req: AnyRequest): boolean {
  if (req.httpVersionMajor === 2) return !(req as Http2ServerRequest).stream.endAfterHeaders;
  const len = req.headers['content-length'];
  if (len !== undefined) return len !== '0';
  return req.headers['transfer-encoding'] !== undefined;
}

export function proxyRequest(
  req: AnyRequest,
  res: AnyResponse,
  stream: TunnelStream,
  head: RequestHead,
  hooks: ProxyHooks,
): void {
  let requestDone = false;
  let responseDone = false;
  let finished = false;
  let status = 0;
  let detachPump: (() => void) | undefined = undefined;

  const finish = (clean: boolean) => {
    if (finished) return;
    finished = true;
    detachPump?.();
    if (clean) hooks.release(stream);
    else {
      stream.abort('request aborted');
      hooks.discard(stream);
    }
    hooks.onDone?.(clean ? status : 'error');
  };

  const maybeRelease = () => {
    if (requestDone && responseDone) finish(true);
  };

  const endResponse = (trailers: readonly Header[], last?: Buffer) => {
    if (trailers.length > 0) res.addTrailers(toNodeHeaders(trailers));
    responseDone = true;
    if (last && last.length > 0) (res as ServerResponse).end(last);
    else res.end();
    if (!requestDone) {
      // Upstream answered before reading the whole body: the stream can't be reused.
      finish(false);
      return;
    }
    maybeRelease();
  };

  // A broken agent must cost only its own stream: never a made-up 200, never a throw
  // out of the gRPC data handler (that would take the whole controller down).
  const protocolError = (reason: string) => {
    if (finished) return;
    hooks.onProtocolError?.(reason);
    finish(false);
    if (res.headersSent) res.destroy();
    else sendError(res, new FerryError('FERRY_ERR_AGENT_LOST', `agent broke the tunnel protocol: ${reason}`));
  };

  const outOfOrder = (frame: FrameIn): string | undefined => {
    if (responseDone) return `${frame.kind ?? 'empty'} frame after the response ended`;
    if (frame.kind === 'response') return status !== 0 ? 'a second response head' : undefined;
    if (frame.kind === 'data' || frame.kind === 'end') return status === 0 ? `${frame.kind} before the response head` : undefined;
    if (frame.kind === 'reset') return undefined;
    return `a ${frame.kind ?? 'empty'} frame from the agent`;
  };

  const onFrameInOrder = (frame: FrameIn) => {
    switch (frame.kind) {
      case 'response': {
        const r = frame.response!;
        status = r.status;
        res.writeHead(r.status, toNodeHeaders(cleanResponseHeaders(r.headers, false)));
        if (r.body.length > 0) hooks.onBytes?.('out', r.body.length);
        if (r.bodyComplete) {
          // Head and body in one write.
          endResponse([], r.body);
          break;
        }
        if (r.body.length > 0) (res as ServerResponse).write(r.body);
        break;
      }
      case 'data':
        hooks.onBytes?.('out', frame.data!.length);
        writeFromTunnel(res, stream, frame.data!);
        break;
      case 'end':
        endResponse(frame.end?.trailers ?? []);
        break;
      case 'reset':
        finish(false);
        res.destroy(new FerryError('FERRY_ERR_UPSTREAM', frame.reset?.reason ?? 'upstream reset'));
        break;
    }
  };

  const handler: FrameHandler = {
    onFrame(frame: FrameIn) {
      const wrong = outOfOrder(frame);
      if (wrong) {
        protocolError(wrong);
        return;
      }
      try {
        onFrameInOrder(frame);
      } catch (err) {
        protocolError(`unusable ${frame.kind ?? 'empty'} frame (${err instanceof Error ? err.message : String(err)})`);
      }
    },
    onClosed(reason: string) {
      if (finished) return;
      finished = true;
      detachPump?.();
      hooks.discard(stream);
      hooks.onDone?.('error');
      // Mid-response: reset the client at once rather than let it hang.
      if (res.headersSent) res.destroy();
      else sendError(res, new FerryError('FERRY_ERR_AGENT_LOST', `agent connection lost: ${reason}`));
    },
  };
  stream.attach(handler);

  res.on('close', () => {
    if (!finished && !(responseDone && requestDone)) {
      stream.send({ reset: { code: 'CANCEL', reason: 'client went away' } });
      finish(false);
    }
  });

  if (!hasBody(req)) {
    head.bodyComplete = true;
    requestDone = true;
    stream.send({ request: head });
    req.resume();
    return;
  }
  stream.send({ request: head });
  detachPump = pumpToTunnel(req, stream, {
    trailers: () => Object.entries(req.trailers ?? {}).map(([name, value]) => ({ name, value: String(value) })),
    onBytes: (n) => hooks.onBytes?.('in', n),
    onEnd: () => {
      requestDone = true;
      maybeRelease();
    },
  });
  req.on('aborted', () => finish(false));
}
