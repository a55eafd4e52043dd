// Original file: proto/ferry/tunnel/v1/tunnel.proto

import type { Header as _ferry_tunnel_v1_Header, Header__Output as _ferry_tunnel_v1_Header__Output } from '../../../ferry/tunnel/v1/Header.js';

export interface End {
  'trailers'?: (_ferry_tunnel_v1_Header)[];
}

export interface End__Output {
  'trailers': (_ferry_tunnel_v1_Header__Output)[];
}
