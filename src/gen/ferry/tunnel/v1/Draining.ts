// Original file: proto/ferry/tunnel/v1/tunnel.proto


export interface Draining {
  'reason'?: (string);
}

export interface Draining__Output {
  'reason': (string);
}
