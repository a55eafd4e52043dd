// Original file: proto/ferry/tunnel/v1/tunnel.proto

import type { Service as _ferry_tunnel_v1_Service, Service__Output as _ferry_tunnel_v1_Service__Output } from '../../../ferry/tunnel/v1/Service.js';

export interface Hello {
  'version'?: (string);
  'hostname'?: (string);
  'services'?: (_ferry_tunnel_v1_Service)[];
  'annotations'?: ({[key: string]: string});
  'instanceId'?: (string);
  'name'?: (string);
}

export interface Hello__Output {
  'version': (string);
  'hostname': (string);
  'services': (_ferry_tunnel_v1_Service__Output)[];
  'annotations': ({[key: string]: string});
  'instanceId': (string);
  'name': (string);
}
