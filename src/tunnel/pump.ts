// Moving bytes between a Node stream and a tunnel stream with backpressure on both
// hops: a full gRPC call pauses the socket, a full socket pauses the gRPC call.
import type { Readable, Writable } from 'node:stream';
import { DataBatch } from './data-batch.js';
import { DATA_FRAME_BYTES, SINK_BUDGET_BYTES } from './limits.js';
import type { TunnelStream } from './tunnel-stream.js';
import type { Header } from './types.js';

export interface PumpOutOptions {
  /** Called after the End frame was queued (the readable ended cleanly). */
  onEnd?: () => void;
  trailers?: () => Header[];
  /** Bytes accounting (metrics). */
  onBytes?: (n: number) => void;
  /**
   * Gather a turn's chunks into one frame (default). Off for upgraded connections: exec
   * and port-forward are interactive, and their bytes were never the throughput problem.
   */
  batch?: boolean;
}

/** Sends bytes as Data frames of at most DATA_FRAME_BYTES; false: wait for the stream's drain. */
export function sendData(stream: TunnelStream, chunk: Buffer): boolean {
  if (chunk.length <= DATA_FRAME_BYTES) return stream.send({ data: chunk });
  let ok = true;
  for (let off = 0; off < chunk.length; off += DATA_FRAME_BYTES) ok = stream.send({ data: chunk.subarray(off, off + DATA_FRAME_BYTES) });
  return ok;
}

/** Sends a readable's bytes as Data frames (a turn's chunks batched unless opts.batch is false), then End. Returns a detach function. */
export function pumpToTunnel(source: Readable, stream: TunnelStream, opts: PumpOutOptions = {}): () => void {
  let detached = false;
  const send = (data: Buffer) => {
    if (!sendData(stream, data) && !stream.isClosed && !detached) {
      source.pause();
      stream.onceDrained(() => source.resume());
    }
  };
  const batch = opts.batch === false ? undefined : new DataBatch(send);
  const onData = (chunk: Buffer) => {
    opts.onBytes?.(chunk.length);
    if (batch) batch.push(chunk);
    else send(chunk);
  };
  const onEnd = () => {
    batch?.flush();
    stream.send({ end: { trailers: opts.trailers?.() ?? [] } });
    opts.onEnd?.();
  };
  source.on('data', onData);
  source.once('end', onEnd);
  return () => {
    source.off('data', onData);
    source.off('end', onEnd);
    // Bytes already read go to the peer, as they did before batching; the source is no
    // longer ours to pause.
    detached = true;
    batch?.flush();
  };
}

/** Writes an incoming Data frame to a writable, pausing the tunnel while it is full. */
export function writeFromTunnel(sink: Writable, stream: TunnelStream, data: Buffer): void {
  if (data.length === 0) return;
  // A socket says "full" at 16 KiB, less than one Data frame; pausing the gRPC call
  // that often starves the HTTP/2 window. Pause only past a real budget.
  if (!sink.write(data) && sink.writableLength > SINK_BUDGET_BYTES && !stream.waitingForSink) {
    stream.waitingForSink = true;
    stream.pauseIncoming();
    sink.once('drain', () => {
      stream.waitingForSink = false;
      stream.resumeIncoming();
    });
  }
}
