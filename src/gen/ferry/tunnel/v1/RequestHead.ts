// Original file: proto/ferry/tunnel/v1/tunnel.proto

import type { Header as _ferry_tunnel_v1_Header, Header__Output as _ferry_tunnel_v1_Header__Output } from '../../../ferry/tunnel/v1/Header.js';
import type { Caller as _ferry_tunnel_v1_Caller, Caller__Output as _ferry_tunnel_v1_Caller__Output } from '../../../ferry/tunnel/v1/Caller.js';

export interface RequestHead {
  'method'?: (string);
  'path'?: (string);
  'headers'?: (_ferry_tunnel_v1_Header)[];
  'serviceType'?: (string);
  'serviceName'?: (string);
  'upgrade'?: (boolean);
  'caller'?: (_ferry_tunnel_v1_Caller | null);
  'body'?: (Buffer | Uint8Array | string);
  'bodyComplete'?: (boolean);
  'requestId'?: (string);
  'remoteAddress'?: (string);
  'scheme'?: (string);
}

export interface RequestHead__Output {
  'method': (string);
  'path': (string);
  'headers': (_ferry_tunnel_v1_Header__Output)[];
  'serviceType': (string);
  'serviceName': (string);
  'upgrade': (boolean);
  'caller': (_ferry_tunnel_v1_Caller__Output | null);
  'body': (Buffer);
  'bodyComplete': (boolean);
  'requestId': (string);
  'remoteAddress': (string);
  'scheme': (string);
}
