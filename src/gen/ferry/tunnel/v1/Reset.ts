// Original file: proto/ferry/tunnel/v1/tunnel.proto


export interface Reset {
  'code'?: (string);
  'reason'?: (string);
}

export interface Reset__Output {
  'code': (string);
  'reason': (string);
}
