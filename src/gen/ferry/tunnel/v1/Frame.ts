// Original file: proto/ferry/tunnel/v1/tunnel.proto

import type { RequestHead as _ferry_tunnel_v1_RequestHead, RequestHead__Output as _ferry_tunnel_v1_RequestHead__Output } from '../../../ferry/tunnel/v1/RequestHead.js';
import type { ResponseHead as _ferry_tunnel_v1_ResponseHead, ResponseHead__Output as _ferry_tunnel_v1_ResponseHead__Output } from '../../../ferry/tunnel/v1/ResponseHead.js';
import type { End as _ferry_tunnel_v1_End, End__Output as _ferry_tunnel_v1_End__Output } from '../../../ferry/tunnel/v1/End.js';
import type { Reset as _ferry_tunnel_v1_Reset, Reset__Output as _ferry_tunnel_v1_Reset__Output } from '../../../ferry/tunnel/v1/Reset.js';

export interface Frame {
  'request'?: (_ferry_tunnel_v1_RequestHead | null);
  'response'?: (_ferry_tunnel_v1_ResponseHead | null);
  'data'?: (Buffer | Uint8Array | string);
  'end'?: (_ferry_tunnel_v1_End | null);
  'reset'?: (_ferry_tunnel_v1_Reset | null);
  'kind'?: "request"|"response"|"data"|"end"|"reset";
}

export interface Frame__Output {
  'request'?: (_ferry_tunnel_v1_RequestHead__Output | null);
  'response'?: (_ferry_tunnel_v1_ResponseHead__Output | null);
  'data'?: (Buffer);
  'end'?: (_ferry_tunnel_v1_End__Output | null);
  'reset'?: (_ferry_tunnel_v1_Reset__Output | null);
  'kind'?: "request"|"response"|"data"|"end"|"reset";
}
