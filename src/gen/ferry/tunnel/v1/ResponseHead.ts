// Original file: proto/ferry/tunnel/v1/tunnel.proto

import type { Header as _ferry_tunnel_v1_Header, Header__Output as _ferry_tunnel_v1_Header__Output } from '../../../ferry/tunnel/v1/Header.js';

export interface ResponseHead {
  'status'?: (number);
  'headers'?: (_ferry_tunnel_v1_Header)[];
  'body'?: (Buffer | Uint8Array | string);
  'bodyComplete'?: (boolean);
}

export interface ResponseHead__Output {
  'status': (number);
  'headers': (_ferry_tunnel_v1_Header__Output)[];
  'body': (Buffer);
  'bodyComplete': (boolean);
}
