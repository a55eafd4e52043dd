// Original file: proto/ferry/tunnel/v1/tunnel.proto

import type { Long } from '@grpc/proto-loader';

export interface Ping {
  'nonce'?: (number | string | Long);
}

export interface Ping__Output {
  'nonce': (string);
}
