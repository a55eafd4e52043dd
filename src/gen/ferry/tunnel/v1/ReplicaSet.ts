// Original file: proto/ferry/tunnel/v1/tunnel.proto


export interface ReplicaSet {
  'replicas'?: (string)[];
}

export interface ReplicaSet__Output {
  'replicas': (string)[];
}
