// The tunnel's gRPC package, built from the JSON descriptor generated from tunnel.proto
// (src/gen/tunnel-descriptor.ts): no file is read at run time, so a bundled or installed
// copy works; the committed types in src/gen describe the same messages.
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { ProtoGrpcType } from '../gen/tunnel.js';
import { TUNNEL_DESCRIPTOR } from '../gen/tunnel-descriptor.js';
import { frameCodec } from './frame-codec.js';

/** Where the protocol's source lives in the repository (tests compare against it). */
export const TUNNEL_PROTO = 'proto/ferry/tunnel/v1/tunnel.proto';

// Options must match the `gen` script's flags so the generated types stay true.
const LOADER_OPTIONS: protoLoader.Options = {
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
};

let loaded: ProtoGrpcType | undefined;

export function tunnelPackage(): ProtoGrpcType {
  if (loaded) return loaded;
  const definition = protoLoader.fromJSON(TUNNEL_DESCRIPTOR, LOADER_OPTIONS);
  // Every proxied byte crosses Stream: its frames take the direct codec (frame-codec.ts).
  const stream = (definition['ferry.tunnel.v1.Tunnel'] as protoLoader.ServiceDefinition)['Stream']!;
  const codec = frameCodec();
  stream.requestSerialize = stream.responseSerialize = codec.serialize;
  stream.requestDeserialize = stream.responseDeserialize = codec.deserialize;
  loaded = grpc.loadPackageDefinition(definition) as unknown as ProtoGrpcType;
  return loaded;
}
