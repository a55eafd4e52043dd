// Original file: proto/ferry/tunnel/v1/tunnel.proto


export interface Caller {
  'subject'?: (string);
  'groups'?: (string)[];
  'method'?: (string);
}

export interface Caller__Output {
  'subject': (string);
  'groups': (string)[];
  'method': (string);
}
