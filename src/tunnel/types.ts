// Short names for the generated message types both ends use.
export type { Frame, Frame__Output as FrameIn } from '../gen/ferry/tunnel/v1/Frame.js';
export type { Header__Output as Header, Header__Output as HeaderIn } from '../gen/ferry/tunnel/v1/Header.js';
export type { RequestHead, RequestHead__Output as RequestHeadIn } from '../gen/ferry/tunnel/v1/RequestHead.js';
export type { ResponseHead, ResponseHead__Output as ResponseHeadIn } from '../gen/ferry/tunnel/v1/ResponseHead.js';
export type { AgentEvent, AgentEvent__Output as AgentEventIn } from '../gen/ferry/tunnel/v1/AgentEvent.js';
export type { ControllerEvent, ControllerEvent__Output as ControllerEventIn } from '../gen/ferry/tunnel/v1/ControllerEvent.js';
export type { Service, Service__Output as ServiceIn } from '../gen/ferry/tunnel/v1/Service.js';
export type { Caller, Caller__Output as CallerIn } from '../gen/ferry/tunnel/v1/Caller.js';
export type { Hello__Output as HelloIn } from '../gen/ferry/tunnel/v1/Hello.js';
