// Original file: proto/ferry/tunnel/v1/tunnel.proto


export interface Welcome {
  'sessionId'?: (string);
  'maxIdleStreams'?: (number);
  'maxStreams'?: (number);
  'maxHeaderBytes'?: (number);
  'replicaId'?: (string);
  'replicas'?: (string)[];
}

export interface Welcome__Output {
  'sessionId': (string);
  'maxIdleStreams': (number);
  'maxStreams': (number);
  'maxHeaderBytes': (number);
  'replicaId': (string);
  'replicas': (string)[];
}
