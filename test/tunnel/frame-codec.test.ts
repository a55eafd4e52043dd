// The Stream codec (protobufjs directly) must write the bytes proto-loader's serializer
// writes, and read back frames that look the same to ferry as proto-loader's toObject.
import * as protoLoader from '@grpc/proto-loader';
import { join } from 'node:path';
import t from 'tap';
import { concatWithFrameRoom, frameCodec } from '../../src/tunnel/frame-codec.js';
import { TUNNEL_PROTO } from '../../src/tunnel/proto.js';
import type { Frame } from '../../src/tunnel/types.js';
import { ROOT } from '../../testkit/processes.js';

const file = join(ROOT, TUNNEL_PROTO);
const codec = frameCodec();
const loader = (
  protoLoader.loadSync(file, { longs: String, enums: String, defaults: true, oneofs: true })['ferry.tunnel.v1.Tunnel'] as protoLoader.ServiceDefinition
)['Stream']!;

const FRAMES: Record<string, Frame> = {
  'request, every field': {
    request: {
      method: 'POST',
      path: '/api/v1/pods?watch=1',
      headers: [
        { name: 'host', value: 'example' },
        { name: 'impersonate-group', value: 'a' },
        { name: 'impersonate-group', value: 'ü' },
      ],
      serviceType: 'kubernetes',
      serviceName: 'prod',
      upgrade: true,
      caller: { subject: 'alice', groups: ['dev', 'ops'], method: 'token' },
      body: Buffer.from('hello'),
      bodyComplete: true,
      requestId: 'b9f0',
      remoteAddress: '10.0.0.1',
      scheme: 'https',
    },
  },
  'request, method only': { request: { method: 'GET' } },
  'response with inline body': {
    response: { status: 200, headers: [{ name: 'content-length', value: '3' }], body: Buffer.from('abc'), bodyComplete: true },
  },
  'response head only': { response: { status: 404, headers: [], body: Buffer.alloc(0), bodyComplete: false } },
  data: { data: Buffer.alloc(70_000, 7) },
  'empty data': { data: Buffer.alloc(0) },
  'end with trailers': { end: { trailers: [{ name: 'grpc-status', value: '0' }] } },
  'end without trailers': { end: { trailers: [] } },
  reset: { reset: { code: 'CANCEL', reason: 'client went away' } },
  empty: {},
};

/** `ours` restated with the keys of `theirs` (proto-loader's output lists every field). */
function mirror(theirs: unknown, ours: unknown): unknown {
  if (Array.isArray(theirs)) return Array.isArray(ours) ? theirs.map((v, i) => mirror(v, ours[i])) : ours;
  if (theirs === null || typeof theirs !== 'object' || Buffer.isBuffer(theirs)) return ours;
  if (ours === null || typeof ours !== 'object') return ours;
  return Object.fromEntries(Object.keys(theirs).map((k) => [k, mirror((theirs as Record<string, unknown>)[k], (ours as Record<string, unknown>)[k])]));
}

for (const [name, frame] of Object.entries(FRAMES)) {
  void t.test(name, (t) => {
    const bytes = codec.serialize(frame);
    t.ok(Buffer.isBuffer(bytes), 'serializes to a Buffer');
    t.same(bytes, loader.requestSerialize(frame), 'same bytes as proto-loader');
    const theirs = loader.requestDeserialize(bytes) as Record<string, unknown>;
    const ours = codec.deserialize(bytes);
    t.equal(ours.kind, theirs['kind'], 'same oneof kind');
    t.strictSame(mirror(theirs, ours), theirs, 'every field reads the same (Buffers stay Buffers)');
    t.end();
  });
}

void t.test('a batch concatenated with frame room serializes to the same bytes, written in place', (t) => {
  for (const size of [1, 127, 128, 16_383, 16_384, 300_000]) {
    const chunks = [Buffer.alloc(size, 1), Buffer.from([2, 3, 4])];
    const data = concatWithFrameRoom(chunks, size + 3);
    t.same(data, Buffer.concat(chunks), `${size}: the data is the chunks in order`);
    const wire = codec.serialize({ data });
    t.same(wire, loader.requestSerialize({ data: Buffer.concat(chunks) }), `${size}: the bytes proto-loader writes`);
    t.equal(wire.buffer, data.buffer, `${size}: the frame is the same memory (no copy)`);
    t.same(codec.deserialize(wire).data, data, `${size}: and it reads back`);
  }
  const plain = Buffer.alloc(10_000, 5); // not from the shared pool, so buffers can be told apart
  t.not(codec.serialize({ data: plain }).buffer, plain.buffer, 'an ordinary buffer is encoded the usual way');
  t.end();
});
