// Generated from proto/ferry/tunnel/v1/tunnel.proto by scripts/gen-proto-descriptor.mjs (npm run gen): do not edit.
import type { INamespace } from 'protobufjs';

export const TUNNEL_DESCRIPTOR = {
  "nested": {
    "ferry": {
      "nested": {
        "tunnel": {
          "nested": {
            "v1": {
              "nested": {
                "Tunnel": {
                  "methods": {
                    "Control": {
                      "requestType": "AgentEvent",
                      "requestStream": true,
                      "responseType": "ControllerEvent",
                      "responseStream": true
                    },
                    "Stream": {
                      "requestType": "Frame",
                      "requestStream": true,
                      "responseType": "Frame",
                      "responseStream": true
                    }
                  }
                },
                "AgentEvent": {
                  "oneofs": {
                    "event": {
                      "oneof": [
                        "hello",
                        "services",
                        "draining",
                        "ping",
                        "pong",
                        "renew"
                      ]
                    }
                  },
                  "fields": {
                    "hello": {
                      "type": "Hello",
                      "id": 1
                    },
                    "services": {
                      "type": "ServicesUpdate",
                      "id": 2
                    },
                    "draining": {
                      "type": "Draining",
                      "id": 3
                    },
                    "ping": {
                      "type": "Ping",
                      "id": 4
                    },
                    "pong": {
                      "type": "Pong",
                      "id": 5
                    },
                    "renew": {
                      "type": "RenewRequest",
                      "id": 6
                    }
                  }
                },
                "ControllerEvent": {
                  "oneofs": {
                    "event": {
                      "oneof": [
                        "welcome",
                        "open",
                        "draining",
                        "ping",
                        "pong",
                        "renewed",
                        "refused",
                        "replicas"
                      ]
                    }
                  },
                  "fields": {
                    "welcome": {
                      "type": "Welcome",
                      "id": 1
                    },
                    "open": {
                      "type": "OpenStreams",
                      "id": 2
                    },
                    "draining": {
                      "type": "Draining",
                      "id": 3
                    },
                    "ping": {
                      "type": "Ping",
                      "id": 4
                    },
                    "pong": {
                      "type": "Pong",
                      "id": 5
                    },
                    "renewed": {
                      "type": "RenewResponse",
                      "id": 6
                    },
                    "refused": {
                      "type": "Refused",
                      "id": 7
                    },
                    "replicas": {
                      "type": "ReplicaSet",
                      "id": 8
                    }
                  }
                },
                "Hello": {
                  "fields": {
                    "version": {
                      "type": "string",
                      "id": 1
                    },
                    "hostname": {
                      "type": "string",
                      "id": 2
                    },
                    "services": {
                      "rule": "repeated",
                      "type": "Service",
                      "id": 3
                    },
                    "annotations": {
                      "keyType": "string",
                      "type": "string",
                      "id": 4
                    },
                    "instanceId": {
                      "type": "string",
                      "id": 5
                    },
                    "name": {
                      "type": "string",
                      "id": 6
                    }
                  }
                },
                "Service": {
                  "fields": {
                    "type": {
                      "type": "string",
                      "id": 1
                    },
                    "name": {
                      "type": "string",
                      "id": 2
                    },
                    "annotations": {
                      "keyType": "string",
                      "type": "string",
                      "id": 3
                    },
                    "health": {
                      "type": "Health",
                      "id": 4
                    }
                  }
                },
                "Health": {
                  "fields": {
                    "healthy": {
                      "type": "bool",
                      "id": 1
                    },
                    "reason": {
                      "type": "string",
                      "id": 2
                    }
                  }
                },
                "ServicesUpdate": {
                  "fields": {
                    "services": {
                      "rule": "repeated",
                      "type": "Service",
                      "id": 1
                    }
                  }
                },
                "Welcome": {
                  "fields": {
                    "sessionId": {
                      "type": "string",
                      "id": 1
                    },
                    "maxIdleStreams": {
                      "type": "uint32",
                      "id": 2
                    },
                    "maxStreams": {
                      "type": "uint32",
                      "id": 3
                    },
                    "maxHeaderBytes": {
                      "type": "uint32",
                      "id": 4
                    },
                    "replicaId": {
                      "type": "string",
                      "id": 5
                    },
                    "replicas": {
                      "rule": "repeated",
                      "type": "string",
                      "id": 6
                    }
                  }
                },
                "ReplicaSet": {
                  "fields": {
                    "replicas": {
                      "rule": "repeated",
                      "type": "string",
                      "id": 1
                    }
                  }
                },
                "OpenStreams": {
                  "fields": {
                    "count": {
                      "type": "uint32",
                      "id": 1
                    }
                  }
                },
                "Draining": {
                  "fields": {
                    "reason": {
                      "type": "string",
                      "id": 1
                    }
                  }
                },
                "Ping": {
                  "fields": {
                    "nonce": {
                      "type": "uint64",
                      "id": 1
                    }
                  }
                },
                "Pong": {
                  "fields": {
                    "nonce": {
                      "type": "uint64",
                      "id": 1
                    }
                  }
                },
                "RenewRequest": {
                  "fields": {
                    "csrPem": {
                      "type": "string",
                      "id": 1
                    }
                  }
                },
                "RenewResponse": {
                  "fields": {
                    "certificatePem": {
                      "type": "string",
                      "id": 1
                    },
                    "error": {
                      "type": "string",
                      "id": 2
                    }
                  }
                },
                "Refused": {
                  "fields": {
                    "code": {
                      "type": "string",
                      "id": 1
                    },
                    "reason": {
                      "type": "string",
                      "id": 2
                    }
                  }
                },
                "Frame": {
                  "oneofs": {
                    "kind": {
                      "oneof": [
                        "request",
                        "response",
                        "data",
                        "end",
                        "reset"
                      ]
                    }
                  },
                  "fields": {
                    "request": {
                      "type": "RequestHead",
                      "id": 1
                    },
                    "response": {
                      "type": "ResponseHead",
                      "id": 2
                    },
                    "data": {
                      "type": "bytes",
                      "id": 3
                    },
                    "end": {
                      "type": "End",
                      "id": 4
                    },
                    "reset": {
                      "type": "Reset",
                      "id": 5
                    }
                  }
                },
                "Header": {
                  "fields": {
                    "name": {
                      "type": "string",
                      "id": 1
                    },
                    "value": {
                      "type": "string",
                      "id": 2
                    }
                  }
                },
                "Caller": {
                  "fields": {
                    "subject": {
                      "type": "string",
                      "id": 1
                    },
                    "groups": {
                      "rule": "repeated",
                      "type": "string",
                      "id": 2
                    },
                    "method": {
                      "type": "string",
                      "id": 3
                    }
                  }
                },
                "RequestHead": {
                  "fields": {
                    "method": {
                      "type": "string",
                      "id": 1
                    },
                    "path": {
                      "type": "string",
                      "id": 2
                    },
                    "headers": {
                      "rule": "repeated",
                      "type": "Header",
                      "id": 3
                    },
                    "serviceType": {
                      "type": "string",
                      "id": 4
                    },
                    "serviceName": {
                      "type": "string",
                      "id": 5
                    },
                    "upgrade": {
                      "type": "bool",
                      "id": 6
                    },
                    "caller": {
                      "type": "Caller",
                      "id": 7
                    },
                    "body": {
                      "type": "bytes",
                      "id": 8
                    },
                    "bodyComplete": {
                      "type": "bool",
                      "id": 9
                    },
                    "requestId": {
                      "type": "string",
                      "id": 10
                    },
                    "remoteAddress": {
                      "type": "string",
                      "id": 11
                    },
                    "scheme": {
                      "type": "string",
                      "id": 12
                    }
                  }
                },
                "ResponseHead": {
                  "fields": {
                    "status": {
                      "type": "uint32",
                      "id": 1
                    },
                    "headers": {
                      "rule": "repeated",
                      "type": "Header",
                      "id": 2
                    },
                    "body": {
                      "type": "bytes",
                      "id": 3
                    },
                    "bodyComplete": {
                      "type": "bool",
                      "id": 4
                    }
                  }
                },
                "End": {
                  "fields": {
                    "trailers": {
                      "rule": "repeated",
                      "type": "Header",
                      "id": 1
                    }
                  }
                },
                "Reset": {
                  "fields": {
                    "code": {
                      "type": "string",
                      "id": 1
                    },
                    "reason": {
                      "type": "string",
                      "id": 2
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
  }
} as unknown as INamespace;
