// Two in-memory stand-ins for the ends of one tunnel Stream call: each is what a
// TunnelStream needs from its call (DuplexCall), and frames cross through the real frame
// codec (serialized, then decoded on the other side), in order, one event-loop turn later.
// No gRPC and no sockets: the relay's send and serve sides run exactly as in production.
import { EventEmitter } from 'node:events';
import { frameCodec } from '../../src/tunnel/frame-codec.js';
import type { DuplexCall, StreamOwner } from '../../src/tunnel/tunnel-stream.js';
import { TunnelStream } from '../../src/tunnel/tunnel-stream.js';
import type { Frame, FrameIn } from '../../src/tunnel/types.js';

const codec = frameCodec();

export class MemoryCall extends EventEmitter implements DuplexCall {
  peer: MemoryCall | undefined;
  private done = false;
  /** Every frame this end wrote, decoded (what the other end saw). */
  readonly sent: FrameIn[] = [];

  write(frame: Frame): boolean {
    if (this.done) return false;
    const bytes = codec.serialize(frame);
    setImmediate(() => this.peer?.arrive(bytes, this));
    return true;
  }

  private arrive(bytes: Buffer, from: MemoryCall): void {
    if (this.done) return;
    const frame = codec.deserialize(bytes);
    from.sent.push(frame);
    this.emit('data', frame);
  }

  /** A clean end: the other side sees its call end. */
  end(): void {
    if (this.done) return;
    this.done = true;
    setImmediate(() => {
      this.peer?.finish('end');
      this.emit('close');
    });
  }

  /** What StreamOwner.cancel does: the other side sees a cancelled call. */
  cancel(): void {
    if (this.done) return;
    this.done = true;
    setImmediate(() => this.peer?.finish('cancelled'));
  }

  private finish(event: 'end' | 'cancelled'): void {
    if (this.done) return;
    this.done = true;
    this.emit(event);
  }

  pause(): this {
    return this;
  }

  resume(): this {
    return this;
  }
}

export interface MemoryStreamPair {
  send: TunnelStream;
  serve: TunnelStream;
  /** The serve side's call: `sent` holds every frame it wrote, as the send side decoded it. */
  serveCall: MemoryCall;
}

/** One Stream call's two ends; `onServeStray` sees frames that arrive on the idle serving end (a request head). */
export function memoryStreamPair(onServeStray: (stream: TunnelStream, frame: FrameIn | null) => void): MemoryStreamPair {
  const a = new MemoryCall();
  const b = new MemoryCall();
  a.peer = b;
  b.peer = a;
  const cancel = (call: MemoryCall) => call.cancel();
  const sendOwner: StreamOwner = { cancel: (c) => cancel(c as MemoryCall), onStray: () => undefined };
  const serveOwner: StreamOwner = { cancel: (c) => cancel(c as MemoryCall), onStray: onServeStray };
  return { send: new TunnelStream(a, sendOwner), serve: new TunnelStream(b, serveOwner), serveCall: b };
}
