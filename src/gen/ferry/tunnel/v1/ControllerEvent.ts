// Original file: proto/ferry/tunnel/v1/tunnel.proto

import type { Welcome as _ferry_tunnel_v1_Welcome, Welcome__Output as _ferry_tunnel_v1_Welcome__Output } from '../../../ferry/tunnel/v1/Welcome.js';
import type { OpenStreams as _ferry_tunnel_v1_OpenStreams, OpenStreams__Output as _ferry_tunnel_v1_OpenStreams__Output } from '../../../ferry/tunnel/v1/OpenStreams.js';
import type { Draining as _ferry_tunnel_v1_Draining, Draining__Output as _ferry_tunnel_v1_Draining__Output } from '../../../ferry/tunnel/v1/Draining.js';
import type { Ping as _ferry_tunnel_v1_Ping, Ping__Output as _ferry_tunnel_v1_Ping__Output } from '../../../ferry/tunnel/v1/Ping.js';
import type { Pong as _ferry_tunnel_v1_Pong, Pong__Output as _ferry_tunnel_v1_Pong__Output } from '../../../ferry/tunnel/v1/Pong.js';
import type { RenewResponse as _ferry_tunnel_v1_RenewResponse, RenewResponse__Output as _ferry_tunnel_v1_RenewResponse__Output } from '../../../ferry/tunnel/v1/RenewResponse.js';
import type { Refused as _ferry_tunnel_v1_Refused, Refused__Output as _ferry_tunnel_v1_Refused__Output } from '../../../ferry/tunnel/v1/Refused.js';
import type { ReplicaSet as _ferry_tunnel_v1_ReplicaSet, ReplicaSet__Output as _ferry_tunnel_v1_ReplicaSet__Output } from '../../../ferry/tunnel/v1/ReplicaSet.js';

export interface ControllerEvent {
  'welcome'?: (_ferry_tunnel_v1_Welcome | null);
  'open'?: (_ferry_tunnel_v1_OpenStreams | null);
  'draining'?: (_ferry_tunnel_v1_Draining | null);
  'ping'?: (_ferry_tunnel_v1_Ping | null);
  'pong'?: (_ferry_tunnel_v1_Pong | null);
  'renewed'?: (_ferry_tunnel_v1_RenewResponse | null);
  'refused'?: (_ferry_tunnel_v1_Refused | null);
  'replicas'?: (_ferry_tunnel_v1_ReplicaSet | null);
  'event'?: "welcome"|"open"|"draining"|"ping"|"pong"|"renewed"|"refused"|"replicas";
}

export interface ControllerEvent__Output {
  'welcome'?: (_ferry_tunnel_v1_Welcome__Output | null);
  'open'?: (_ferry_tunnel_v1_OpenStreams__Output | null);
  'draining'?: (_ferry_tunnel_v1_Draining__Output | null);
  'ping'?: (_ferry_tunnel_v1_Ping__Output | null);
  'pong'?: (_ferry_tunnel_v1_Pong__Output | null);
  'renewed'?: (_ferry_tunnel_v1_RenewResponse__Output | null);
  'refused'?: (_ferry_tunnel_v1_Refused__Output | null);
  'replicas'?: (_ferry_tunnel_v1_ReplicaSet__Output | null);
  'event'?: "welcome"|"open"|"draining"|"ping"|"pong"|"renewed"|"refused"|"replicas";
}
