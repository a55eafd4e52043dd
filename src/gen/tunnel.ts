import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { AgentEvent as _ferry_tunnel_v1_AgentEvent, AgentEvent__Output as _ferry_tunnel_v1_AgentEvent__Output } from './ferry/tunnel/v1/AgentEvent.js';
import type { Caller as _ferry_tunnel_v1_Caller, Caller__Output as _ferry_tunnel_v1_Caller__Output } from './ferry/tunnel/v1/Caller.js';
import type { ControllerEvent as _ferry_tunnel_v1_ControllerEvent, ControllerEvent__Output as _ferry_tunnel_v1_ControllerEvent__Output } from './ferry/tunnel/v1/ControllerEvent.js';
import type { Draining as _ferry_tunnel_v1_Draining, Draining__Output as _ferry_tunnel_v1_Draining__Output } from './ferry/tunnel/v1/Draining.js';
import type { End as _ferry_tunnel_v1_End, End__Output as _ferry_tunnel_v1_End__Output } from './ferry/tunnel/v1/End.js';
import type { Frame as _ferry_tunnel_v1_Frame, Frame__Output as _ferry_tunnel_v1_Frame__Output } from './ferry/tunnel/v1/Frame.js';
import type { Header as _ferry_tunnel_v1_Header, Header__Output as _ferry_tunnel_v1_Header__Output } from './ferry/tunnel/v1/Header.js';
import type { Health as _ferry_tunnel_v1_Health, Health__Output as _ferry_tunnel_v1_Health__Output } from './ferry/tunnel/v1/Health.js';
import type { Hello as _ferry_tunnel_v1_Hello, Hello__Output as _ferry_tunnel_v1_Hello__Output } from './ferry/tunnel/v1/Hello.js';
import type { OpenStreams as _ferry_tunnel_v1_OpenStreams, OpenStreams__Output as _ferry_tunnel_v1_OpenStreams__Output } from './ferry/tunnel/v1/OpenStreams.js';
import type { Ping as _ferry_tunnel_v1_Ping, Ping__Output as _ferry_tunnel_v1_Ping__Output } from './ferry/tunnel/v1/Ping.js';
import type { Pong as _ferry_tunnel_v1_Pong, Pong__Output as _ferry_tunnel_v1_Pong__Output } from './ferry/tunnel/v1/Pong.js';
import type { Refused as _ferry_tunnel_v1_Refused, Refused__Output as _ferry_tunnel_v1_Refused__Output } from './ferry/tunnel/v1/Refused.js';
import type { RenewRequest as _ferry_tunnel_v1_RenewRequest, RenewRequest__Output as _ferry_tunnel_v1_RenewRequest__Output } from './ferry/tunnel/v1/RenewRequest.js';
import type { RenewResponse as _ferry_tunnel_v1_RenewResponse, RenewResponse__Output as _ferry_tunnel_v1_RenewResponse__Output } from './ferry/tunnel/v1/RenewResponse.js';
import type { ReplicaSet as _ferry_tunnel_v1_ReplicaSet, ReplicaSet__Output as _ferry_tunnel_v1_ReplicaSet__Output } from './ferry/tunnel/v1/ReplicaSet.js';
import type { RequestHead as _ferry_tunnel_v1_RequestHead, RequestHead__Output as _ferry_tunnel_v1_RequestHead__Output } from './ferry/tunnel/v1/RequestHead.js';
import type { Reset as _ferry_tunnel_v1_Reset, Reset__Output as _ferry_tunnel_v1_Reset__Output } from './ferry/tunnel/v1/Reset.js';
import type { ResponseHead as _ferry_tunnel_v1_ResponseHead, ResponseHead__Output as _ferry_tunnel_v1_ResponseHead__Output } from './ferry/tunnel/v1/ResponseHead.js';
import type { Service as _ferry_tunnel_v1_Service, Service__Output as _ferry_tunnel_v1_Service__Output } from './ferry/tunnel/v1/Service.js';
import type { ServicesUpdate as _ferry_tunnel_v1_ServicesUpdate, ServicesUpdate__Output as _ferry_tunnel_v1_ServicesUpdate__Output } from './ferry/tunnel/v1/ServicesUpdate.js';
import type { TunnelClient as _ferry_tunnel_v1_TunnelClient, TunnelDefinition as _ferry_tunnel_v1_TunnelDefinition } from './ferry/tunnel/v1/Tunnel.js';
import type { Welcome as _ferry_tunnel_v1_Welcome, Welcome__Output as _ferry_tunnel_v1_Welcome__Output } from './ferry/tunnel/v1/Welcome.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  ferry: {
    tunnel: {
      v1: {
        AgentEvent: MessageTypeDefinition<_ferry_tunnel_v1_AgentEvent, _ferry_tunnel_v1_AgentEvent__Output>
        Caller: MessageTypeDefinition<_ferry_tunnel_v1_Caller, _ferry_tunnel_v1_Caller__Output>
        ControllerEvent: MessageTypeDefinition<_ferry_tunnel_v1_ControllerEvent, _ferry_tunnel_v1_ControllerEvent__Output>
        Draining: MessageTypeDefinition<_ferry_tunnel_v1_Draining, _ferry_tunnel_v1_Draining__Output>
        End: MessageTypeDefinition<_ferry_tunnel_v1_End, _ferry_tunnel_v1_End__Output>
        Frame: MessageTypeDefinition<_ferry_tunnel_v1_Frame, _ferry_tunnel_v1_Frame__Output>
        Header: MessageTypeDefinition<_ferry_tunnel_v1_Header, _ferry_tunnel_v1_Header__Output>
        Health: MessageTypeDefinition<_ferry_tunnel_v1_Health, _ferry_tunnel_v1_Health__Output>
        Hello: MessageTypeDefinition<_ferry_tunnel_v1_Hello, _ferry_tunnel_v1_Hello__Output>
        OpenStreams: MessageTypeDefinition<_ferry_tunnel_v1_OpenStreams, _ferry_tunnel_v1_OpenStreams__Output>
        Ping: MessageTypeDefinition<_ferry_tunnel_v1_Ping, _ferry_tunnel_v1_Ping__Output>
        Pong: MessageTypeDefinition<_ferry_tunnel_v1_Pong, _ferry_tunnel_v1_Pong__Output>
        Refused: MessageTypeDefinition<_ferry_tunnel_v1_Refused, _ferry_tunnel_v1_Refused__Output>
        RenewRequest: MessageTypeDefinition<_ferry_tunnel_v1_RenewRequest, _ferry_tunnel_v1_RenewRequest__Output>
        RenewResponse: MessageTypeDefinition<_ferry_tunnel_v1_RenewResponse, _ferry_tunnel_v1_RenewResponse__Output>
        ReplicaSet: MessageTypeDefinition<_ferry_tunnel_v1_ReplicaSet, _ferry_tunnel_v1_ReplicaSet__Output>
        RequestHead: MessageTypeDefinition<_ferry_tunnel_v1_RequestHead, _ferry_tunnel_v1_RequestHead__Output>
        Reset: MessageTypeDefinition<_ferry_tunnel_v1_Reset, _ferry_tunnel_v1_Reset__Output>
        ResponseHead: MessageTypeDefinition<_ferry_tunnel_v1_ResponseHead, _ferry_tunnel_v1_ResponseHead__Output>
        Service: MessageTypeDefinition<_ferry_tunnel_v1_Service, _ferry_tunnel_v1_Service__Output>
        ServicesUpdate: MessageTypeDefinition<_ferry_tunnel_v1_ServicesUpdate, _ferry_tunnel_v1_ServicesUpdate__Output>
        Tunnel: SubtypeConstructor<typeof grpc.Client, _ferry_tunnel_v1_TunnelClient> & { service: _ferry_tunnel_v1_TunnelDefinition }
        Welcome: MessageTypeDefinition<_ferry_tunnel_v1_Welcome, _ferry_tunnel_v1_Welcome__Output>
      }
    }
  }
}

