// Gathers the chunks one event-loop turn delivers into one Data frame. A TLS socket hands
// a request body over as 16 KiB records, one 'data' event each; a frame per record costs
// the controller and the agent a gRPC message, an HTTP/2 write and a socket write each
// (16× the per-frame work of full frames). Nothing waits past the current turn: the batch
// goes out at setImmediate (after the turn's reads), or at once when it fills a frame.
import { concatWithFrameRoom } from './frame-codec.js';
import { DATA_FRAME_BYTES } from './limits.js';

export class DataBatch {
  private chunks: Buffer[] = [];
  private bytes = 0;
  private timer: NodeJS.Immediate | undefined;

  constructor(private readonly send: (data: Buffer) => void) {}

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    if (this.bytes >= DATA_FRAME_BYTES) this.flush();
    else this.timer ??= setImmediate(() => this.flush());
  }

  /** Drops what was gathered (the stream ended or failed first). */
  discard(): void {
    if (this.timer) clearImmediate(this.timer);
    this.timer = undefined;
    this.chunks = [];
    this.bytes = 0;
  }

  /** Sends what was gathered, if anything. */
  flush(): void {
    if (this.timer) clearImmediate(this.timer);
    this.timer = undefined;
    if (this.bytes === 0) return;
    const data = this.chunks.length === 1 ? this.chunks[0]! : concatWithFrameRoom(this.chunks, this.bytes);
    this.chunks = [];
    this.bytes = 0;
    this.send(data);
  }
}
