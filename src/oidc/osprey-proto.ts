// osprey's wire messages (sky-uk/osprey common/pb/osprey.proto), so osprey clients and
// ferry's own read the same bytes. CA fields carry base64 of the PEM, as osprey's do.
import protobuf from 'protobufjs';

const PROTO = `
syntax = "proto3";
package pb;
message LoginResponse { Cluster cluster = 1; AuthProvider provider = 2; User user = 3; }
message ClusterInfoResponse { Cluster cluster = 1; }
message Cluster { string name = 1; string apiServerURL = 2; string apiServerCA = 3; }
message AuthProvider { string clientID = 1; string clientSecret = 2; string issuerURL = 3; string issuerCA = 4; }
message User { string username = 1; string token = 2; }
message Status { int32 code = 1; string message = 2; }
`;

const root = protobuf.parse(PROTO, { keepCase: true }).root;
const types = {
  login: root.lookupType('pb.LoginResponse'),
  clusterInfo: root.lookupType('pb.ClusterInfoResponse'),
  status: root.lookupType('pb.Status'),
};

export interface OspreyCluster {
  name: string;
  apiServerURL: string;
  apiServerCA: string;
}
export interface OspreyLoginResponse {
  cluster: OspreyCluster;
  provider: { clientID: string; clientSecret: string; issuerURL: string; issuerCA: string };
  user: { username: string; token: string };
}
export interface OspreyClusterInfo {
  cluster: OspreyCluster;
}

type Kind = keyof typeof types;

export function encodeOsprey(kind: 'login', message: OspreyLoginResponse): Buffer;
export function encodeOsprey(kind: 'clusterInfo', message: OspreyClusterInfo): Buffer;
export function encodeOsprey(kind: 'status', message: { code: number; message: string }): Buffer;
export function encodeOsprey(kind: Kind, message: object): Buffer {
  const type = types[kind];
  return Buffer.from(type.encode(type.fromObject(message)).finish());
}

export function decodeOsprey(kind: 'login', bytes: Uint8Array): OspreyLoginResponse;
export function decodeOsprey(kind: 'clusterInfo', bytes: Uint8Array): OspreyClusterInfo;
export function decodeOsprey(kind: 'status', bytes: Uint8Array): { code: number; message: string };
export function decodeOsprey(kind: Kind, bytes: Uint8Array): unknown {
  const type = types[kind];
  return type.toObject(type.decode(bytes), { defaults: true });
}

/** gRPC status codes osprey's errors carry. */
export const RPC_CODE = { INVALID_ARGUMENT: 3, NOT_FOUND: 5, PERMISSION_DENIED: 7, RESOURCE_EXHAUSTED: 8, UNAVAILABLE: 14, INTERNAL: 13, UNAUTHENTICATED: 16 } as const;
