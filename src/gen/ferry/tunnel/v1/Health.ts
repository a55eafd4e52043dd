// Original file: proto/ferry/tunnel/v1/tunnel.proto


export interface Health {
  'healthy'?: (boolean);
  'reason'?: (string);
}

export interface Health__Output {
  'healthy': (boolean);
  'reason': (string);
}
