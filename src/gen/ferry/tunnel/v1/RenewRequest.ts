// Original file: proto/ferry/tunnel/v1/tunnel.proto


export interface RenewRequest {
  'csrPem'?: (string);
}

export interface RenewRequest__Output {
  'csrPem': (string);
}
