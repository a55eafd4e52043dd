// Original file: proto/ferry/tunnel/v1/tunnel.proto

import type { Service as _ferry_tunnel_v1_Service, Service__Output as _ferry_tunnel_v1_Service__Output } from '../../../ferry/tunnel/v1/Service.js';

export interface ServicesUpdate {
  'services'?: (_ferry_tunnel_v1_Service)[];
}

export interface ServicesUpdate__Output {
  'services': (_ferry_tunnel_v1_Service__Output)[];
}
