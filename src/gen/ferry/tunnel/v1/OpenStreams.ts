// Original file: proto/ferry/tunnel/v1/tunnel.proto


export interface OpenStreams {
  'count'?: (number);
}

export interface OpenStreams__Output {
  'count': (number);
}
