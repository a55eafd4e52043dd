// Loads tunnel.proto at run time; the committed types in src/gen describe the same messages.
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { join } from 'node:path';
import { projectRoot } from '../project-root.js';
import type { ProtoGrpcType } from '../gen/tunnel.js';

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
  loaded ??= grpc.loadPackageDefinition(
    protoLoader.loadSync(join(projectRoot(), TUNNEL_PROTO), LOADER_OPTIONS),
  ) as unknown as ProtoGrpcType;
  return loaded;
}
