// Original file: proto/ferry/tunnel/v1/tunnel.proto

import type { Hello as _ferry_tunnel_v1_Hello, Hello__Output as _ferry_tunnel_v1_Hello__Output } from '../../../ferry/tunnel/v1/Hello.js';
import type { ServicesUpdate as _ferry_tunnel_v1_ServicesUpdate, ServicesUpdate__Output as _ferry_tunnel_v1_ServicesUpdate__Output } from '../../../ferry/tunnel/v1/ServicesUpdate.js';
import type { Draining as _ferry_tunnel_v1_Draining, Draining__Output as _ferry_tunnel_v1_Draining__Output } from '../../../ferry/tunnel/v1/Draining.js';
import type { Ping as _ferry_tunnel_v1_Ping, Ping__Output as _ferry_tunnel_v1_Ping__Output } from '../../../ferry/tunnel/v1/Ping.js';
import type { Pong as _ferry_tunnel_v1_Pong, Pong__Output as _ferry_tunnel_v1_Pong__Output } from '../../../ferry/tunnel/v1/Pong.js';
import type { RenewRequest as _ferry_tunnel_v1_RenewRequest, RenewRequest__Output as _ferry_tunnel_v1_RenewRequest__Output } from '../../../ferry/tunnel/v1/RenewRequest.js';

export interface AgentEvent {
  'hello'?: (_ferry_tunnel_v1_Hello | null);
  'services'?: (_ferry_tunnel_v1_ServicesUpdate | null);
  'draining'?: (_ferry_tunnel_v1_Draining | null);
  'ping'?: (_ferry_tunnel_v1_Ping | null);
  'pong'?: (_ferry_tunnel_v1_Pong | null);
  'renew'?: (_ferry_tunnel_v1_RenewRequest | null);
  'event'?: "hello"|"services"|"draining"|"ping"|"pong"|"renew";
}

export interface AgentEvent__Output {
  'hello'?: (_ferry_tunnel_v1_Hello__Output | null);
  'services'?: (_ferry_tunnel_v1_ServicesUpdate__Output | null);
  'draining'?: (_ferry_tunnel_v1_Draining__Output | null);
  'ping'?: (_ferry_tunnel_v1_Ping__Output | null);
  'pong'?: (_ferry_tunnel_v1_Pong__Output | null);
  'renew'?: (_ferry_tunnel_v1_RenewRequest__Output | null);
  'event'?: "hello"|"services"|"draining"|"ping"|"pong"|"renew";
}
