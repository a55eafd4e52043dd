// Serves one request that arrived on a tunnel stream: the service prepares the upstream
// call (credential added), then bytes flow both ways with backpressure, and any abort
// on one side reaches the other.
import { PassThrough, type Readable } from 'node:stream';
import { request as undiciRequest } from 'undici';
import { FerryError, errorBody, httpStatusOf, messageOf } from '../errors.js';
import { INLINE_BODY_BYTES } from '../tunnel/limits.js';
import { pumpToTunnel, writeFromTunnel } from '../tunnel/pump.js';
import type { FrameHandler, TunnelStream } from '../tunnel/tunnel-stream.js';
import type { FrameIn, RequestHeadIn } from '../tunnel/types.js';
import type { AgentService } from './services/agent-service.js';
import { runUpgrade } from './upgrade-runner.js';
import { flatHeaders } from './services/service-base.js';
import { responseHeaderList, serviceRequestOf } from './upstream-headers.js';

export interface RunnerContext {
  agentName: string;
  findService(type: string, name: string): AgentService | undefined;
  /** Clean finish: the stream may carry another request. */
  onIdle(stream: TunnelStream): void;
  /** The stream was aborted or is unusable. */
  onDead(stream: TunnelStream): void;
  log: (level: 'info' | 'warn' | 'debug', msg: string, fields?: Record<string, unknown>) => void;
  onRequestStart?: () => void;
  onRequestDone?: (type: string, status: number | 'error', seconds: number) => void;
  onBytes?: (direction: 'in' | 'out', n: number) => void;
}

function sendErrorResponse(stream: TunnelStream, err: unknown): void {
  const body = Buffer.from(JSON.stringify(errorBody(err)));
  stream.send({
    response: {
      status: httpStatusOf(err),
      headers: [
        { name: 'content-type', value: 'application/json' },
        { name: 'content-length', value: String(body.length) },
      ],
      body,
      bodyComplete: true,
    },
  });
}

/**
 * Runs `fn` with stack traces switched off. An abort makes undici and Node build errors
 * nobody reads (AbortError, the socket's "aborted") and format their stacks; in a
 * cancel storm that formatting was a third of the agent's work per cancel.
 */
function withoutStackTraces(fn: () => void): void {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    fn();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

export function runRequest(stream: TunnelStream, head: RequestHeadIn, ctx: RunnerContext): void {
  const started = process.hrtime.bigint();
  ctx.onRequestStart?.();
  const done = (status: number | 'error') =>
    ctx.onRequestDone?.(head.serviceType, status, Number(process.hrtime.bigint() - started) / 1e9);
  const service = ctx.findService(head.serviceType, head.serviceName);
  if (!service) {
    // Answer cleanly; the stream stays usable once the request body (if any) is drained.
    drainThenAnswer(stream, head, ctx, new FerryError('FERRY_ERR_NO_SERVICE', `this agent has no ${head.serviceType} service named ${head.serviceName}`));
    done(404);
    return;
  }
  if (head.upgrade) {
    runUpgrade(stream, head, service, ctx, done);
    return;
  }
  runHttp(stream, head, service, ctx, done);
}

/** Reads and drops any request body, then answers with an error (keeps the stream reusable). */
function drainThenAnswer(stream: TunnelStream, head: RequestHeadIn, ctx: RunnerContext, err: unknown): void {
  const answer = () => {
    sendErrorResponse(stream, err);
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

function runHttp(
  stream: TunnelStream,
  head: RequestHeadIn,
  service: AgentService,
  ctx: RunnerContext,
  done: (status: number | 'error') => void,
): void {
  const abort = new AbortController();
  let requestDone = head.bodyComplete;
  let responseDone = false;
  let finished = false;
  let bodyIn: PassThrough | undefined;
  let upstreamBody: Readable | undefined;
  let detachPump: (() => void) | undefined;

  const finish = (clean: boolean, status: number | 'error') => {
    if (finished) return;
    finished = true;
    detachPump?.();
    if (clean) ctx.onIdle(stream);
    else {
      withoutStackTraces(() => {
        abort.abort();
        upstreamBody?.destroy();
        bodyIn?.destroy();
        stream.abort('request aborted');
      });
      ctx.onDead(stream);
    }
    done(status);
  };

  if (!head.bodyComplete) bodyIn = new PassThrough({ highWaterMark: 1024 * 1024 });

  const handler: FrameHandler = {
    onFrame(frame: FrameIn) {
      switch (frame.kind) {
        case 'data':
          ctx.onBytes?.('in', frame.data!.length);
          if (bodyIn) writeFromTunnel(bodyIn, stream, frame.data!);
          break;
        case 'end':
          requestDone = true;
          bodyIn?.end();
          if (responseDone) finish(true, 200);
          break;
        case 'reset':
          finish(false, 'error');
          break;
        default:
          ctx.log('warn', 'unexpected frame during a request; aborting it', { kind: frame.kind });
          finish(false, 'error');
      }
    },
    onClosed() {
      finish(false, 'error');
    },
  };
  stream.attach(handler);

  const body = head.bodyComplete ? (head.body.length > 0 ? head.body : undefined) : bodyIn;

  void (async () => {
    let status = 0;
    try {
      const prepared = await service.prepare(serviceRequestOf(head, ctx.agentName));
      if (finished) return;
      const res = await undiciRequest(prepared.url, {
        method: head.method,
        headers: flatHeaders(prepared.headers),
        body,
        dispatcher: prepared.dispatcher,
        signal: abort.signal,
      });
      if (finished) {
        res.body.destroy();
        return;
      }
      status = res.statusCode;
      upstreamBody = res.body;
      const headers = responseHeaderList(res.headers);
      const length = Number(res.headers['content-length'] ?? NaN);
      if (head.method === 'HEAD' || status === 204 || status === 304 || (length >= 0 && length <= INLINE_BODY_BYTES)) {
        // Small answers travel in one frame.
        const buf = head.method === 'HEAD' ? Buffer.alloc(0) : Buffer.from(await res.body.arrayBuffer());
        if (finished) return;
        ctx.onBytes?.('out', buf.length);
        stream.send({ response: { status, headers, body: buf, bodyComplete: true } });
        responseDone = true;
        if (requestDone) finish(true, status);
        return;
      }
      stream.send({ response: { status, headers, body: Buffer.alloc(0), bodyComplete: false } });
      detachPump = pumpToTunnel(res.body, stream, {
        onBytes: (n) => ctx.onBytes?.('out', n),
        trailers: () => responseHeaderList(res.trailers),
        onEnd: () => {
          responseDone = true;
          if (requestDone) finish(true, status);
        },
      });
      res.body.on('error', (err) => {
        if (finished) return;
        ctx.log('debug', 'upstream body failed', { reason: err.message });
        stream.send({ reset: { code: 'UPSTREAM', reason: 'upstream connection failed' } });
        finish(false, 'error');
      });
    } catch (err) {
      if (finished) return;
      const reason = err instanceof FerryError ? err.message : `upstream request failed: ${messageOf(err)}`;
      ctx.log('warn', 'upstream request failed', { service: `${service.type}/${service.name}`, reason });
      if (status === 0) {
        sendErrorResponse(stream, err instanceof FerryError ? err : new FerryError('FERRY_ERR_UPSTREAM', reason));
        responseDone = true;
        if (requestDone) finish(true, 502);
        else finish(false, 502);
      } else {
        stream.send({ reset: { code: 'UPSTREAM', reason } });
        finish(false, 'error');
      }
    }
  })();
}
