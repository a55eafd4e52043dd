// One upstream HTTP call through undici's dispatch API. Measured here for 1 KiB GETs at 64 in
// flight: ~35 µs CPU a call against ~70 µs for undici.request() with an AbortSignal (no body
// stream, promise or signal per call); bytes still flow with backpressure (pause/resume).
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';

export interface UpstreamCallHandler {
  onResponse(status: number, headers: IncomingHttpHeaders): void;
  onData(chunk: Buffer): void;
  onEnd(trailers: IncomingHttpHeaders): void;
  /** The call failed or was aborted; nothing else follows. */
  onError(err: Error): void;
}

export interface UpstreamCallOptions {
  method: Dispatcher.HttpMethod;
  /** Flat [name, value, name, value, …] list: keeps order and repeats. */
  headers: string[];
  body?: Buffer | Readable;
  dispatcher: Dispatcher;
}

export function callUpstream(url: URL, opts: UpstreamCallOptions, handler: UpstreamCallHandler): UpstreamCall {
  const call = new UpstreamCall(handler);
  opts.dispatcher.dispatch(
    { origin: url.origin, path: url.pathname + url.search, method: opts.method, headers: opts.headers, body: opts.body },
    call,
  );
  return call;
}

/**
 * The call is its own undici handler: one object with shared methods rather than a set of
 * closures, as a watch keeps it alive for hours (thousands of idle watches are normal).
 */
export class UpstreamCall implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined = undefined;
  // An abort can come before undici hands over its controller; it is applied on arrival.
  private abortedWith: Error | undefined = undefined;
  private wantPaused = false;

  constructor(private readonly handler: UpstreamCallHandler) {}

  pause(): void {
    this.wantPaused = true;
    this.controller?.pause();
  }

  resume(): void {
    this.wantPaused = false;
    this.controller?.resume();
  }

  abort(reason: Error): void {
    if (this.abortedWith) return;
    this.abortedWith = reason;
    const c = this.controller;
    if (c && !c.aborted) c.abort(reason);
  }

  onRequestStart(c: Dispatcher.DispatchController): void {
    this.controller = c;
    if (this.abortedWith) c.abort(this.abortedWith);
  }

  onResponseStart(c: Dispatcher.DispatchController, status: number, headers: IncomingHttpHeaders): void {
    // The controller keeps the raw response head (views into the socket's read buffer)
    // for the whole response: a watch would hold ~2 KiB it never needs again.
    c.rawHeaders = null;
    this.handler.onResponse(status, headers);
    if (this.wantPaused && !c.aborted) c.pause();
  }

  onResponseData(_c: Dispatcher.DispatchController, chunk: Buffer): void {
    this.handler.onData(chunk);
  }

  onResponseEnd(_c: Dispatcher.DispatchController, trailers: IncomingHttpHeaders): void {
    this.handler.onEnd(trailers);
  }

  onResponseError(_c: Dispatcher.DispatchController, err: Error): void {
    this.handler.onError(err);
  }
}
