// The relay's sending side for an ordinary HTTP request (h1 or h2): carries it from a
// client (the front door's, or the reverse listener's) through a borrowed tunnel stream
// and streams the response back. Both directions flow with backpressure.
import type { ServerResponse } from 'node:http';
import type { Http2ServerRequest } from 'node:http2';
import { FerryError, type ErrorShape } from '../errors.js';
import { cleanHeaders, toNodeHeaders } from './headers.js';
import { pumpToTunnel, writeFromTunnel } from '../tunnel/pump.js';
import type { FrameHandler, TunnelStream } from '../tunnel/tunnel-stream.js';
import type { FrameIn, Header, RequestHead } from '../tunnel/types.js';
import { abortResponse, sendError, type AnyResponse } from './http-error.js';
import type { AnyRequest } from './request-head.js';
import { responseHeadProblem } from './response-head-check.js';

export type { AnyRequest } from './request-head.js';

/** What the sending side tells its owner (a session's stream pool, metrics). */
export interface SendHooks {
  /** The exchange finished cleanly both ways: the stream may serve another request. */
  release(stream: TunnelStream): void;
  /** The stream is unusable (aborted or broken). */
  discard(stream: TunnelStream): void;
  onBytes?(direction: 'in' | 'out', n: number): void;
  onDone?(status: number | 'error'): void;
  /** The agent sent a frame out of order or one that cannot be answered; the stream is closed. */
  onProtocolError?(reason: string): void;
  /** The body shape of ferry's own error answers for this request (kubectl reads a Status). */
  readonly errorShape?: ErrorShape;
}

/** Does a body follow the head? (h2 says so with END_STREAM on the HEADERS frame.) */
function hasBody(req: AnyRequest): boolean {
  if (req.httpVersionMajor === 2) return !(req as Http2ServerRequest).stream.endAfterHeaders;
  const len = req.headers['content-length'];
  if (len !== undefined) return len !== '0';
  return req.headers['transfer-encoding'] !== undefined;
}

export function sendRequest(
  req: AnyRequest,
  res: AnyResponse,
  stream: TunnelStream,
  head: RequestHead,
  hooks: SendHooks,
): void {
  new SentRequest(req, res, stream, hooks).start(head);
}

/**
 * One request's state and frame handling. A class rather than a set of closures: a watch
 * keeps this alive for hours, and one object with shared methods is the smallest way to
 * hold it (ten thousand idle watches are a normal load).
 */
class SentRequest implements FrameHandler {
  private requestDone = false;
  private responseDone = false;
  private finished = false;
  private status = 0;
  private detachPump: (() => void) | undefined = undefined;

  constructor(
    private readonly req: AnyRequest,
    private readonly res: AnyResponse,
    private readonly stream: TunnelStream,
    private readonly hooks: SendHooks,
  ) {}

  start(head: RequestHead): void {
    const { req, res, stream } = this;
    stream.attach(this);
    res.on('close', () => {
      if (!this.finished && !(this.responseDone && this.requestDone)) {
        stream.send({ reset: { code: 'CANCEL', reason: 'client went away' } });
        this.finish(false);
      }
    });

    if (!hasBody(req)) {
      head.bodyComplete = true;
      this.requestDone = true;
      stream.send({ request: head });
      req.resume();
      return;
    }
    stream.send({ request: head });
    this.detachPump = pumpToTunnel(req, stream, {
      trailers: () => Object.entries(req.trailers ?? {}).map(([name, value]) => ({ name, value: String(value) })),
      onBytes: (n) => this.hooks.onBytes?.('in', n),
      onEnd: () => {
        this.requestDone = true;
        this.maybeRelease();
      },
    });
    req.on('aborted', () => this.finish(false));
  }

  onFrame(frame: FrameIn): void {
    const wrong = this.outOfOrder(frame);
    if (wrong) {
      this.protocolError(wrong);
      return;
    }
    try {
      this.onFrameInOrder(frame);
    } catch (err) {
      this.protocolError(`unusable ${frame.kind ?? 'empty'} frame (${err instanceof Error ? err.message : String(err)})`);
    }
  }

  onClosed(reason: string): void {
    if (this.finished) return;
    this.finished = true;
    this.detachPump?.();
    this.hooks.discard(this.stream);
    this.hooks.onDone?.('error');
    // Mid-response: reset the client at once rather than let it hang.
    if (this.res.headersSent) abortResponse(this.res, 'internal');
    else sendError(this.res, new FerryError('FERRY_ERR_AGENT_LOST', `agent connection lost: ${reason}`), { shape: this.hooks.errorShape });
  }

  private finish(clean: boolean): void {
    if (this.finished) return;
    this.finished = true;
    this.detachPump?.();
    if (clean) this.hooks.release(this.stream);
    else {
      this.stream.abort('request aborted');
      this.hooks.discard(this.stream);
    }
    this.hooks.onDone?.(clean ? this.status : 'error');
  }

  private maybeRelease(): void {
    if (this.requestDone && this.responseDone) this.finish(true);
  }

  private endResponse(trailers: readonly Header[], last?: Buffer): void {
    const res = this.res;
    if (trailers.length > 0) res.addTrailers(toNodeHeaders(trailers));
    this.responseDone = true;
    if (last && last.length > 0) (res as ServerResponse).end(last);
    else res.end();
    if (!this.requestDone) {
      // Upstream answered before reading the whole body: the stream can't be reused.
      this.finish(false);
      return;
    }
    this.maybeRelease();
  }

  // A broken agent must cost only its own stream: never a made-up 200, never a throw
  // out of the gRPC data handler (that would take the whole controller down).
  private protocolError(reason: string): void {
    if (this.finished) return;
    this.hooks.onProtocolError?.(reason);
    this.finish(false);
    if (this.res.headersSent) abortResponse(this.res, 'internal');
    else sendError(this.res, new FerryError('FERRY_ERR_AGENT_LOST', `agent broke the tunnel protocol: ${reason}`), { shape: this.hooks.errorShape });
  }

  private outOfOrder(frame: FrameIn): string | undefined {
    if (this.responseDone) return `${frame.kind ?? 'empty'} frame after the response ended`;
    if (frame.kind === 'response') return this.status !== 0 ? 'a second response head' : undefined;
    if (frame.kind === 'data' || frame.kind === 'end') return this.status === 0 ? `${frame.kind} before the response head` : undefined;
    if (frame.kind === 'reset') return undefined;
    return `a ${frame.kind ?? 'empty'} frame from the agent`;
  }

  private onFrameInOrder(frame: FrameIn): void {
    const res = this.res;
    switch (frame.kind) {
      case 'response': {
        const r = frame.response!;
        const problem = responseHeadProblem(r, false);
        if (problem) {
          this.protocolError(`invalid response head: ${problem}`);
          break;
        }
        this.status = r.status;
        res.writeHead(r.status, toNodeHeaders(cleanHeaders(r.headers)));
        if (r.body.length > 0) this.hooks.onBytes?.('out', r.body.length);
        if (r.bodyComplete) {
          // Head and body in one write.
          this.endResponse([], r.body);
          break;
        }
        if (r.body.length > 0) (res as ServerResponse).write(r.body);
        break;
      }
      case 'data':
        this.hooks.onBytes?.('out', frame.data!.length);
        writeFromTunnel(res, this.stream, frame.data!);
        break;
      case 'end':
        this.endResponse(frame.end?.trailers ?? []);
        break;
      case 'reset':
        this.finish(false);
        if (res.headersSent) abortResponse(res, frame.reset?.code === 'CANCEL' ? 'cancel' : 'internal');
        else sendError(res, new FerryError('FERRY_ERR_UPSTREAM', `upstream reset: ${frame.reset?.reason ?? 'no reason given'}`), { shape: this.hooks.errorShape });
        break;
    }
  }
}
