// Original file: proto/ferry/tunnel/v1/tunnel.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AgentEvent as _ferry_tunnel_v1_AgentEvent, AgentEvent__Output as _ferry_tunnel_v1_AgentEvent__Output } from '../../../ferry/tunnel/v1/AgentEvent.js';
import type { ControllerEvent as _ferry_tunnel_v1_ControllerEvent, ControllerEvent__Output as _ferry_tunnel_v1_ControllerEvent__Output } from '../../../ferry/tunnel/v1/ControllerEvent.js';
import type { Frame as _ferry_tunnel_v1_Frame, Frame__Output as _ferry_tunnel_v1_Frame__Output } from '../../../ferry/tunnel/v1/Frame.js';

export interface TunnelClient extends grpc.Client {
  Control(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_ferry_tunnel_v1_AgentEvent, _ferry_tunnel_v1_ControllerEvent__Output>;
  Control(options?: grpc.CallOptions): grpc.ClientDuplexStream<_ferry_tunnel_v1_AgentEvent, _ferry_tunnel_v1_ControllerEvent__Output>;
  control(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_ferry_tunnel_v1_AgentEvent, _ferry_tunnel_v1_ControllerEvent__Output>;
  control(options?: grpc.CallOptions): grpc.ClientDuplexStream<_ferry_tunnel_v1_AgentEvent, _ferry_tunnel_v1_ControllerEvent__Output>;
  
  Stream(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_ferry_tunnel_v1_Frame, _ferry_tunnel_v1_Frame__Output>;
  Stream(options?: grpc.CallOptions): grpc.ClientDuplexStream<_ferry_tunnel_v1_Frame, _ferry_tunnel_v1_Frame__Output>;
  stream(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_ferry_tunnel_v1_Frame, _ferry_tunnel_v1_Frame__Output>;
  stream(options?: grpc.CallOptions): grpc.ClientDuplexStream<_ferry_tunnel_v1_Frame, _ferry_tunnel_v1_Frame__Output>;
  
}

export interface TunnelHandlers extends grpc.UntypedServiceImplementation {
  Control: grpc.handleBidiStreamingCall<_ferry_tunnel_v1_AgentEvent__Output, _ferry_tunnel_v1_ControllerEvent>;
  
  Stream: grpc.handleBidiStreamingCall<_ferry_tunnel_v1_Frame__Output, _ferry_tunnel_v1_Frame>;
  
}

export interface TunnelDefinition extends grpc.ServiceDefinition {
  Control: MethodDefinition<_ferry_tunnel_v1_AgentEvent, _ferry_tunnel_v1_ControllerEvent, _ferry_tunnel_v1_AgentEvent__Output, _ferry_tunnel_v1_ControllerEvent__Output>
  Stream: MethodDefinition<_ferry_tunnel_v1_Frame, _ferry_tunnel_v1_Frame, _ferry_tunnel_v1_Frame__Output, _ferry_tunnel_v1_Frame__Output>
}
