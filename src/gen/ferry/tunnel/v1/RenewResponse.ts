// Original file: proto/ferry/tunnel/v1/tunnel.proto


export interface RenewResponse {
  'certificatePem'?: (string);
  'error'?: (string);
}

export interface RenewResponse__Output {
  'certificatePem': (string);
  'error': (string);
}
