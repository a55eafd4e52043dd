// Original file: proto/ferry/tunnel/v1/tunnel.proto


export interface Refused {
  'code'?: (string);
  'reason'?: (string);
}

export interface Refused__Output {
  'code': (string);
  'reason': (string);
}
