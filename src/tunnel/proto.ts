// Loads tunnel.proto at run time; the committed types in src/gen describe the same messages.
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { join } from 'node:path';
import { projectRoot } from '../project-root.js';
import type { ProtoGrpcType } from '../gen/tunnel.js';
import { frameCodec } from './frame-codec.js';

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
  const file = join(projectRoot(), TUNNEL_PROTO);
  const definition = protoLoader.loadSync(file, LOADER_OPTIONS);
  // Every proxied byte crosses Stream: its frames take the direct codec (frame-codec.ts).
  const stream = (definition['ferry.tunnel.v1.Tunnel'] as protoLoader.ServiceDefinition)['Stream']!;
  const codec = frameCodec(file);
  stream.requestSerialize = stream.responseSerialize = codec.serialize;
  stream.requestDeserialize = stream.responseDeserialize = codec.deserialize;
  loaded = grpc.loadPackageDefinition(definition) as unknown as ProtoGrpcType;
  return loaded;
}
