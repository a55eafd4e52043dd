// The relay's serving side: serves one request that arrived on a tunnel stream: the service prepares the upstream
// call (credential added), then bytes flow both ways with backpressure, and any abort
// on one side reaches the other.
import type { IncomingHttpHeaders } from 'node:http';
import { PassThrough } from 'node:stream';
import { FerryError, errorAnswer, messageOf, withoutStackTraces } from '../errors.js';
import { INLINE_BODY_BYTES } from '../tunnel/limits.js';
import { DataBatch } from '../tunnel/data-batch.js';
import { sendData, writeFromTunnel } from '../tunnel/pump.js';
import type { FrameHandler, TunnelStream } from '../tunnel/tunnel-stream.js';
import type { FrameIn, Header, RequestHeadIn } from '../tunnel/types.js';
import type { AgentService } from '../services/agent-service.js';
import { flatHeaders } from '../services/service-base.js';
import type { ServeContext } from './serve-context.js';
import { serveUpgrade } from './serve-upgrade.js';
import { errorShapeForType } from './error-shapes.js';
import { callUpstream, type UpstreamCall, type UpstreamCallHandler } from './upstream-call.js';
import { responseHeaderList, serviceRequestOf } from './upstream-headers.js';

export type { ServeContext } from './serve-context.js';

const EMPTY = Buffer.alloc(0);

function sendErrorResponse(stream: TunnelStream, err: unknown, type: string): void {
  const answer = errorAnswer(err, { shape: errorShapeForType(type) });
  stream.send({
    response: {
      status: answer.status,
      headers: Object.entries(answer.headers).map(([name, value]) => ({ name, value })),
      body: Buffer.from(answer.body),
      bodyComplete: true,
    },
  });
}

export function serveRequest(stream: TunnelStream, head: RequestHeadIn, ctx: ServeContext): void {
  const started = process.hrtime.bigint();
  ctx.onRequestStart?.();
  // Closures keep only the fields they need: the whole head would live as long as the request.
  const type = head.serviceType;
  const done = (status: number | 'error') => ctx.onRequestDone?.(type, status, Number(process.hrtime.bigint() - started) / 1e9);
  const service = ctx.findService(head.serviceType, head.serviceName);
  if (!service) {
    // Answer cleanly; the stream stays usable once the request body (if any) is drained.
    drainThenAnswer(stream, head, ctx, new FerryError('FERRY_ERR_NO_SERVICE', `this agent has no ${head.serviceType} service named ${head.serviceName}`));
    done(404);
    return;
  }
  if (head.upgrade) {
    serveUpgrade(stream, head, service, ctx, done);
    return;
  }
  new HttpExchange(stream, head, service, ctx, done).start(head);
}

/** Reads and drops any request body, then answers with an error (keeps the stream reusable). */
function drainThenAnswer(stream: TunnelStream, head: RequestHeadIn, ctx: ServeContext, err: unknown): void {
  const answer = () => {
    sendErrorResponse(stream, err, head.serviceType);
    ctx.onIdle(stream);
  };
  if (head.bodyComplete) {
    answer();
    return;
  }
  stream.attach({
    onFrame(frame) {
      if (frame.kind === 'end') answer();
      // abort() reports the close through onClosed below, exactly once.
      else if (frame.kind === 'reset') stream.abort('reset by controller');
    },
    onClosed() {
      ctx.onDead(stream);
    },
  });
}

/**
 * One proxied HTTP request: tunnel frames in, the upstream call's events out. A class
 * rather than a set of closures: a watch keeps this alive for hours, and one object with
 * shared methods is the smallest way to hold it (ten thousand idle watches are normal).
 * It must not hold the request head: only the fields it needs.
 */
class HttpExchange implements FrameHandler, UpstreamCallHandler {
  private requestDone: boolean;
  private responseDone = false;
  private finished = false;
  private readonly bodyIn: PassThrough | undefined;
  private call: UpstreamCall | undefined = undefined;
  private readonly method: string;
  private status = 0;
  /** Small answers are collected and travel in one frame with their head. */
  private inline: { headers: Header[]; chunks: Buffer[] } | undefined = undefined;
  private waitingForDrain = false;
  /** The response body chunks of one event-loop turn, sent as one Data frame; made on the first chunk. */
  private batch: DataBatch | undefined = undefined;

  constructor(
    private readonly stream: TunnelStream,
    head: RequestHeadIn,
    private readonly service: AgentService,
    private readonly ctx: ServeContext,
    private readonly done: (status: number | 'error') => void,
  ) {
    this.requestDone = head.bodyComplete;
    this.method = head.method;
    if (!head.bodyComplete) this.bodyIn = new PassThrough({ highWaterMark: 1024 * 1024 });
  }

  start(head: RequestHeadIn): void {
    this.stream.attach(this);
    const body = head.bodyComplete ? (head.body.length > 0 ? head.body : undefined) : this.bodyIn;
    this.service.prepare(serviceRequestOf(head, this.ctx.agentName)).then(
      (prepared) => {
        if (this.finished) return;
        const headers = flatHeaders(prepared.headers);
        this.call = callUpstream(prepared.url, { method: this.method, headers, body, dispatcher: prepared.dispatcher }, this);
      },
      (err: unknown) => {
        if (!this.finished) this.failBeforeResponse(err);
      },
    );
  }

  // Frames from the controller: the request body.
  onFrame(frame: FrameIn): void {
    switch (frame.kind) {
      case 'data':
        this.ctx.onBytes?.('in', frame.data!.length);
        if (this.bodyIn) writeFromTunnel(this.bodyIn, this.stream, frame.data!);
        break;
      case 'end':
        this.requestDone = true;
        this.bodyIn?.end();
        if (this.responseDone) this.finish(true, 200);
        break;
      case 'reset':
        this.finish(false, 'error');
        break;
      default:
        this.ctx.log('warn', 'unexpected frame during a request; aborting it', { kind: frame.kind });
        this.finish(false, 'error');
    }
  }

  onClosed(): void {
    this.finish(false, 'error');
  }

  // The upstream's answer.
  onResponse(code: number, headers: IncomingHttpHeaders): void {
    if (this.finished) return;
    this.status = code;
    const list = responseHeaderList(headers);
    const length = Number(headers['content-length'] ?? NaN);
    if (this.method === 'HEAD' || code === 204 || code === 304 || (length >= 0 && length <= INLINE_BODY_BYTES)) {
      this.inline = { headers: list, chunks: [] };
      return;
    }
    this.stream.send({ response: { status: code, headers: list, body: EMPTY, bodyComplete: false } });
  }

  onData(chunk: Buffer): void {
    if (this.finished) return;
    this.ctx.onBytes?.('out', chunk.length);
    if (this.inline) this.inline.chunks.push(chunk);
    // A TLS upstream (the Kubernetes API) hands its body over as 16 KiB records, a chunked
    // one as its chunks: a frame per piece cost 7.75 vs 5.77 CPU s/GB (bench/README.md).
    else (this.batch ??= new DataBatch((data) => this.sendFrame(data))).push(chunk);
  }

  private sendFrame(data: Buffer): void {
    const stream = this.stream;
    if (this.finished) return;
    if (!sendData(stream, data) && !stream.isClosed && !this.waitingForDrain) {
      this.waitingForDrain = true;
      this.call?.pause();
      stream.onceDrained(() => {
        this.waitingForDrain = false;
        this.call?.resume();
      });
    }
  }

  onEnd(trailers: IncomingHttpHeaders): void {
    if (this.finished) return;
    const inline = this.inline;
    if (inline) {
      const body = inline.chunks.length === 1 ? inline.chunks[0]! : Buffer.concat(inline.chunks);
      this.stream.send({ response: { status: this.status, headers: inline.headers, body, bodyComplete: true } });
    } else {
      this.batch?.flush();
      this.stream.send({ end: { trailers: responseHeaderList(trailers) } });
    }
    this.responseDone = true;
    if (this.requestDone) this.finish(true, this.status);
  }

  onError(err: Error): void {
    if (this.finished) return;
    if (this.status === 0) {
      this.failBeforeResponse(err);
      return;
    }
    this.ctx.log('debug', 'upstream body failed', { service: `${this.service.type}/${this.service.name}`, reason: err.message });
    this.stream.send({ reset: { code: 'UPSTREAM', reason: 'upstream connection failed' } });
    this.finish(false, 'error');
  }

  /** No response head has gone out yet: answer with a JSON error (502 unless the service chose). */
  private failBeforeResponse(err: unknown): void {
    const reason = err instanceof FerryError ? err.message : `upstream request failed: ${messageOf(err)}`;
    this.ctx.log('warn', 'upstream request failed', { service: `${this.service.type}/${this.service.name}`, reason });
    sendErrorResponse(this.stream, err instanceof FerryError ? err : new FerryError('FERRY_ERR_UPSTREAM', reason), this.service.type);
    this.responseDone = true;
    this.finish(this.requestDone, 502);
  }

  private finish(clean: boolean, status: number | 'error'): void {
    if (this.finished) return;
    this.finished = true;
    this.batch?.discard();
    const stream = this.stream;
    if (clean) this.ctx.onIdle(stream);
    else {
      withoutStackTraces(() => {
        this.call?.abort(new Error('request aborted'));
        this.bodyIn?.destroy();
        stream.abort('request aborted');
      });
      this.ctx.onDead(stream);
    }
    this.done(status);
  }
}
