// Original file: proto/ferry/tunnel/v1/tunnel.proto

import type { Long } from '@grpc/proto-loader';

export interface Pong {
  'nonce'?: (number | string | Long);
}

export interface Pong__Output {
  'nonce': (string);
}
