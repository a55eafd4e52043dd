// Serves one request that arrived on a tunnel stream: the service prepares the upstream
// call (credential added), then bytes flow both ways with backpressure, and any abort
// on one side reaches the other.
import { PassThrough } from 'node:stream';
import { FerryError, errorBody, httpStatusOf, messageOf, withoutStackTraces } from '../errors.js';
import { INLINE_BODY_BYTES } from '../tunnel/limits.js';
import { sendData, writeFromTunnel } from '../tunnel/pump.js';
import type { FrameHandler, TunnelStream } from '../tunnel/tunnel-stream.js';
import type { FrameIn, Header, RequestHeadIn } from '../tunnel/types.js';
import type { AgentService } from './services/agent-service.js';
import { callUpstream, type UpstreamCall, type UpstreamCallHandler } from './upstream-call.js';
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

const EMPTY = Buffer.alloc(0);

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

export function runRequest(stream: TunnelStream, head: RequestHeadIn, ctx: RunnerContext): void {
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
  let requestDone = head.bodyComplete;
  let responseDone = false;
  let finished = false;
  let bodyIn: PassThrough | undefined;
  let call: UpstreamCall | undefined;

  const finish = (clean: boolean, status: number | 'error') => {
    if (finished) return;
    finished = true;
    if (clean) ctx.onIdle(stream);
    else {
      withoutStackTraces(() => {
        call?.abort(new Error('request aborted'));
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

  /** No response head has gone out yet: answer with a JSON error (502 unless the service chose). */
  const failBeforeResponse = (err: unknown) => {
    const reason = err instanceof FerryError ? err.message : `upstream request failed: ${messageOf(err)}`;
    ctx.log('warn', 'upstream request failed', { service: `${service.type}/${service.name}`, reason });
    sendErrorResponse(stream, err instanceof FerryError ? err : new FerryError('FERRY_ERR_UPSTREAM', reason));
    responseDone = true;
    finish(requestDone, 502);
  };

  // These callbacks outlive the call by hours on a watch: they must not hold the request head.
  const method = head.method;
  let status = 0;
  // Small answers are collected and travel in one frame with their head.
  let inline: { headers: Header[]; chunks: Buffer[] } | undefined;
  let waitingForDrain = false;
  const upstream: UpstreamCallHandler = {
    onResponse(code, headers) {
      if (finished) return;
      status = code;
      const list = responseHeaderList(headers);
      const length = Number(headers['content-length'] ?? NaN);
      if (method === 'HEAD' || code === 204 || code === 304 || (length >= 0 && length <= INLINE_BODY_BYTES)) {
        inline = { headers: list, chunks: [] };
        return;
      }
      stream.send({ response: { status, headers: list, body: EMPTY, bodyComplete: false } });
    },
    onData(chunk) {
      if (finished) return;
      ctx.onBytes?.('out', chunk.length);
      if (inline) inline.chunks.push(chunk);
      else if (!sendData(stream, chunk) && !stream.isClosed && !waitingForDrain) {
        waitingForDrain = true;
        call?.pause();
        stream.onceDrained(() => {
          waitingForDrain = false;
          call?.resume();
        });
      }
    },
    onEnd(trailers) {
      if (finished) return;
      if (inline) {
        const body = inline.chunks.length === 1 ? inline.chunks[0]! : Buffer.concat(inline.chunks);
        stream.send({ response: { status, headers: inline.headers, body, bodyComplete: true } });
      } else stream.send({ end: { trailers: responseHeaderList(trailers) } });
      responseDone = true;
      if (requestDone) finish(true, status);
    },
    onError(err) {
      if (finished) return;
      if (status === 0) {
        failBeforeResponse(err);
        return;
      }
      ctx.log('debug', 'upstream body failed', { service: `${service.type}/${service.name}`, reason: err.message });
      stream.send({ reset: { code: 'UPSTREAM', reason: 'upstream connection failed' } });
      finish(false, 'error');
    },
  };

  const body = head.bodyComplete ? (head.body.length > 0 ? head.body : undefined) : bodyIn;
  service.prepare(serviceRequestOf(head, ctx.agentName)).then(
    (prepared) => {
      if (finished) return;
      const headers = flatHeaders(prepared.headers);
      call = callUpstream(prepared.url, { method, headers, body, dispatcher: prepared.dispatcher }, upstream);
    },
    (err: unknown) => {
      if (!finished) failBeforeResponse(err);
    },
  );
}
