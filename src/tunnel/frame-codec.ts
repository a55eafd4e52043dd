// The Stream method's serializers: protobufjs's encode/decode on the same .proto, without
// proto-loader's fromObject/toObject around them (two more walks over every frame, ~1 µs
// each way for a request head). Decoded frames keep the shape proto-loader gave: the
// oneof name in `kind`, and defaults for unset fields (read from the message prototype).
import protobuf from 'protobufjs';
import type { Frame, FrameIn } from './types.js';

export interface FrameCodec {
  serialize: (frame: Frame) => Buffer;
  deserialize: (bytes: Buffer) => FrameIn;
}

const EMPTY = Buffer.alloc(0);

export function frameCodec(protoFile: string): FrameCodec {
  const root = protobuf.loadSync(protoFile);
  const frameType = root.lookupType('ferry.tunnel.v1.Frame');
  // protobufjs's default for an unset bytes field is an empty array; ferry (and proto-loader's
  // toObject) hand out Buffers.
  for (const type of [frameType, root.lookupType('ferry.tunnel.v1.RequestHead'), root.lookupType('ferry.tunnel.v1.ResponseHead')]) {
    for (const field of type.fieldsArray) if (field.type === 'bytes' && !field.repeated) (type.ctor.prototype as Record<string, unknown>)[field.name] = EMPTY;
  }
  return {
    serialize: (frame) => frameType.encode(frame).finish() as Buffer,
    deserialize: (bytes) => frameType.decode(bytes) as unknown as FrameIn,
  };
}
