// grpc-js 1.14 gives its server no option for the HTTP/2 receive window and keeps it at
// 64 KiB, which caps one stream at window ÷ RTT (REFERENCE.md). Until the upstream
// option lands we raise it on the server's own http2 servers, before and after bind.
import type * as grpc from '@grpc/grpc-js';
import type * as http2 from 'node:http2';
import { HTTP2_WINDOW_BYTES } from './limits.js';

interface GrpcServerInternals {
  commonServerOptions?: http2.SecureServerOptions;
  http2Servers?: Map<http2.Http2Server, unknown>;
}

/** Call after `new grpc.Server()` and before `bindAsync`: sets the per-stream window. */
export function widenServerStreamWindow(server: grpc.Server, bytes = HTTP2_WINDOW_BYTES): void {
  const internals = server as unknown as GrpcServerInternals;
  const common = internals.commonServerOptions;
  if (!common) return;
  common.settings = { ...common.settings, initialWindowSize: bytes };
}

/** The node:http2 servers behind a bound grpc-js server (call after `bindAsync`). */
export function http2ServersOf(server: grpc.Server): http2.Http2Server[] {
  return [...((server as unknown as GrpcServerInternals).http2Servers?.keys() ?? [])];
}

/** Call after `bindAsync`: runs `fn` for each new connection once it is established. */
export function onServerSession(server: grpc.Server, fn: (session: http2.ServerHttp2Session) => void): void {
  for (const h2 of http2ServersOf(server)) {
    h2.on('session', (session: http2.ServerHttp2Session) => {
      if (session.connecting) session.once('connect', () => fn(session));
      else fn(session);
    });
  }
}

/** Call after `bindAsync`: widens each new connection's window too. */
export function widenServerSessionWindow(server: grpc.Server, bytes = HTTP2_WINDOW_BYTES): void {
  onServerSession(server, (session) => {
    try {
      session.setLocalWindowSize(bytes);
    } catch {
      // the session closed before its settings were exchanged
    }
  });
}
