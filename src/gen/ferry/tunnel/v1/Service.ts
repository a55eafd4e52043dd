// Original file: proto/ferry/tunnel/v1/tunnel.proto

import type { Health as _ferry_tunnel_v1_Health, Health__Output as _ferry_tunnel_v1_Health__Output } from '../../../ferry/tunnel/v1/Health.js';

export interface Service {
  'type'?: (string);
  'name'?: (string);
  'annotations'?: ({[key: string]: string});
  'health'?: (_ferry_tunnel_v1_Health | null);
}

export interface Service__Output {
  'type': (string);
  'name': (string);
  'annotations': ({[key: string]: string});
  'health': (_ferry_tunnel_v1_Health__Output | null);
}
