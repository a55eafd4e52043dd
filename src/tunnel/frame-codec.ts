// The Stream method's serializers: protobufjs's encode/decode on the same protocol
// definition (the descriptor generated from tunnel.proto), without
// proto-loader's fromObject/toObject around them (two more walks over every frame, ~1 µs
// each way for a request head). Decoded frames keep the shape proto-loader gave: the
// oneof name in `kind`, and defaults for unset fields (read from the message prototype).
import protobuf from 'protobufjs';
import { TUNNEL_DESCRIPTOR } from '../gen/tunnel-descriptor.js';
import type { Frame, FrameIn } from './types.js';

export interface FrameCodec {
  serialize: (frame: Frame) => Buffer;
  deserialize: (bytes: Buffer) => FrameIn;
}

const EMPTY = Buffer.alloc(0);

// A Data frame on the wire: field 3, wire type 2 (0x1a), a varint length, the bytes.
const DATA_TAG = 0x1a;
const FRAME_ROOM = 6; // the tag and a varint of up to 5 bytes
const roomy = new WeakSet<Buffer>();

/**
 * Concatenates chunks (a batch) into a Buffer with free room for the frame's header just
 * before it, so serializing `{ data }` writes the header there instead of copying the
 * whole payload once more. The result is an ordinary Buffer to everyone else.
 */
export function concatWithFrameRoom(chunks: readonly Buffer[], bytes: number): Buffer {
  const whole = Buffer.allocUnsafe(FRAME_ROOM + bytes);
  let off = FRAME_ROOM;
  for (const c of chunks) off += c.copy(whole, off);
  const data = whole.subarray(FRAME_ROOM);
  roomy.add(data);
  return data;
}

/** `{ data }` whose payload has room in front: the header goes there; no copy. */
function framedInPlace(data: Buffer): Buffer {
  const header = [DATA_TAG];
  let n = data.length;
  for (; n >= 0x80; n >>>= 7) header.push((n & 0x7f) | 0x80);
  header.push(n);
  const frame = Buffer.from(data.buffer, data.byteOffset - header.length, header.length + data.length);
  frame.set(header);
  return frame;
}

export function frameCodec(): FrameCodec {
  const root = protobuf.Root.fromJSON(TUNNEL_DESCRIPTOR);
  const frameType = root.lookupType('ferry.tunnel.v1.Frame');
  // protobufjs's default for an unset bytes field is an empty array; ferry (and proto-loader's
  // toObject) hand out Buffers.
  for (const type of [frameType, root.lookupType('ferry.tunnel.v1.RequestHead'), root.lookupType('ferry.tunnel.v1.ResponseHead')]) {
    for (const field of type.fieldsArray) if (field.type === 'bytes' && !field.repeated) (type.ctor.prototype as Record<string, unknown>)[field.name] = EMPTY;
  }
  return {
    serialize: (frame) => (frame.data instanceof Buffer && roomy.has(frame.data) ? framedInPlace(frame.data) : (frameType.encode(frame).finish() as Buffer)),
    deserialize: (bytes) => frameType.decode(bytes) as unknown as FrameIn,
  };
}
