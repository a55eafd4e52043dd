// One gRPC Stream call, seen the same way from either end: frames in go to the
// current request's handler; frames out honour the call's backpressure.
import type { EventEmitter } from 'node:events';
import type { Frame, FrameIn } from './types.js';

export interface FrameHandler {
  onFrame(frame: FrameIn): void;
  /** The call ended or broke; no more frames will arrive. */
  onClosed(reason: string): void;
}

/** The parts of a grpc-js duplex call (client or server side) a tunnel stream uses. */
export interface DuplexCall extends EventEmitter {
  write(frame: Frame): boolean;
  end(): void;
  pause(): unknown;
  resume(): unknown;
}

/**
 * What a stream's end does with it, shared by all streams of a session (or a kind): an
 * idle stream then holds no closures of its own, and there may be tens of thousands.
 */
export interface StreamOwner<Call extends DuplexCall = DuplexCall> {
  /** Aborts the call so the other end sees it cancelled (client and server differ). */
  cancel(call: Call): void;
  /** A frame arrived while no request owned the stream (a protocol error), or (frame null) an idle stream closed. */
  onStray(stream: TunnelStream, frame: FrameIn | null, reason: string): void;
}

let nextLocalId = 1;

/** The tunnel stream a call belongs to, for the shared listeners below. */
const OWNER = Symbol('ferry.tunnelStream');
type OwnedCall = DuplexCall & { [OWNER]: TunnelStream };

export class TunnelStream {
  readonly localId = nextLocalId++;
  private handler: FrameHandler | null = null;
  private ended = false;
  /** Set while incoming frames are paused because the local sink is full. */
  waitingForSink = false;

  constructor(
    private readonly call: DuplexCall,
    private readonly owner: StreamOwner,
  ) {
    // Listeners shared by all streams (an emitter calls them with `this` = the call): an
    // idle stream then holds no closures of its own, and there may be tens of thousands.
    (call as OwnedCall)[OWNER] = this;
    call.on('data', onCallData);
    call.on('end', onCallEnd);
    call.on('cancelled', onCallCancelled);
    call.on('close', onCallClose);
    call.on('error', onCallError);
  }

  get isClosed(): boolean {
    return this.ended;
  }

  get isBusy(): boolean {
    return this.handler !== null;
  }

  attach(handler: FrameHandler): void {
    this.handler = handler;
  }

  /** The request finished cleanly in both directions: the stream may serve another. */
  detach(): void {
    this.handler = null;
    if (this.waitingForSink) {
      this.waitingForSink = false;
      this.call.resume();
    }
  }

  send(frame: Frame): boolean {
    if (this.ended) return false;
    return this.call.write(frame);
  }

  onceDrained(cb: () => void): void {
    this.call.once('drain', cb);
  }

  pauseIncoming(): void {
    this.call.pause();
  }

  resumeIncoming(): void {
    this.call.resume();
  }

  /** Graceful close (server: OK status; client: half-close). */
  close(): void {
    if (this.ended) return;
    this.call.end();
  }

  /** Abort: the other end sees a cancelled call, never a clean end. */
  abort(reason: string): void {
    if (this.ended) return;
    this.owner.cancel(this.call);
    this.markClosed(reason);
  }

  /** A frame from the call: the current request's, or a stray one. (Called by the call's listener.) */
  receive(frame: FrameIn): void {
    // Sent before the peer saw our abort (a cancel storm brings thousands): nothing
    // wrong, and a warning for each would stall the process on its log pipe.
    if (this.ended) return;
    const h = this.handler;
    if (h) h.onFrame(frame);
    else this.owner.onStray(this, frame, 'frame on an idle stream');
  }

  /** The call ended or broke. (Called by the call's listeners and abort.) */
  markClosed(reason: string): void {
    if (this.ended) return;
    this.ended = true;
    const h = this.handler;
    this.handler = null;
    if (h) h.onClosed(reason);
    else this.owner.onStray(this, null, reason);
  }
}

function onCallData(this: OwnedCall, frame: FrameIn): void {
  this[OWNER].receive(frame);
}

function onCallEnd(this: OwnedCall): void {
  this[OWNER].markClosed('stream ended');
}

function onCallCancelled(this: OwnedCall): void {
  this[OWNER].markClosed('stream cancelled');
}

function onCallClose(this: OwnedCall): void {
  this[OWNER].markClosed('stream closed');
}

function onCallError(this: OwnedCall, err: Error): void {
  this[OWNER].markClosed(err.message);
}
