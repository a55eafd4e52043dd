// The front door: HTTPS (HTTP/1.1 and h2) for clients. It authenticates a caller,
// picks an agent session for the route, borrows a stream and hands over to a proxy.
import type { IncomingMessage } from 'node:http';
import * as http2 from 'node:http2';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { FerryError } from '../errors.js';
import { MAX_HEADER_BYTES } from '../tunnel/limits.js';
import type { TunnelStream } from '../tunnel/tunnel-stream.js';
import type { RequestHead } from '../tunnel/types.js';
import type { AgentSession } from './agent-session.js';
import { clientCertificateOf } from './client-certificate.js';
import { authenticateRequest, type Authenticated, type FrontDoorAuthenticator } from './front-door-auth.js';
import { sendError, sendSocketError } from '../relay/http-error.js';
import { requestHeadOf, type AnyRequest } from '../relay/request-head.js';
import { sendRequest as proxyRequest, type SendHooks } from '../relay/send-request.js';
import { sendUpgrade as proxyUpgrade } from '../relay/send-upgrade.js';
import type { SessionRegistry } from './session-registry.js';

export interface FrontDoorOptions {
  host: string;
  port: number;
  certPem: string;
  keyPem: string;
  caPem: string;
  registry: SessionRegistry;
  authenticators: readonly FrontDoorAuthenticator[];
  log: (level: 'info' | 'warn' | 'debug', msg: string, fields?: Record<string, unknown>) => void;
  onRequestStart?: () => void;
  onRequestDone?: (type: string, status: number | 'error', seconds: number) => void;
  onBytes?: (direction: 'in' | 'out', n: number) => void;
  onAuthFailure?: (reason: string) => void;
}

export interface FrontDoor {
  port: number;
  /** Stop accepting; resolves when in-flight requests are done or the deadline passes. */
  close(deadlineMs?: number): Promise<void>;
}

const KEEPALIVE_MS = 30_000;

function buildHead(req: AnyRequest, auth: Authenticated): RequestHead {
  return requestHeadOf(req, auth.route, auth.caller, 'https');
}

/**
 * One request's link to its agent session and the metrics. An object rather than a set of
 * closures: a watch keeps it for hours, and ten thousand idle watches are a normal load.
 */
class SessionHooks implements SendHooks {
  private readonly started = process.hrtime.bigint();
  readonly onBytes: FrontDoorOptions['onBytes'];

  constructor(
    private readonly session: AgentSession,
    private readonly type: string,
    private readonly opts: FrontDoorOptions,
  ) {
    this.onBytes = opts.onBytes;
    session.active++;
    opts.onRequestStart?.();
  }

  release(stream: TunnelStream): void {
    this.session.release(stream);
  }

  discard(stream: TunnelStream): void {
    this.session.forgetStream(stream);
  }

  onProtocolError(reason: string): void {
    this.opts.log('warn', 'agent broke the stream protocol; stream closed', { agent: this.session.agent, session: this.session.id, reason });
  }

  onDone(status: number | 'error'): void {
    this.session.active--;
    this.opts.onRequestDone?.(this.type, status, Number(process.hrtime.bigint() - this.started) / 1e9);
  }
}

export async function startFrontDoor(opts: FrontDoorOptions): Promise<FrontDoor> {
  // Requests and upgrades in progress (keyed by req.socket, which for h2 is a per-stream
  // proxy, so each h2 request counts once),
  // and every open connection: a drain ends when the count is zero, then closes the idle
  // keep-alive connections instead of waiting for their timeouts.
  const inflight = new Map<Duplex, number>();
  const connections = new Set<Duplex>();
  let closing = false;
  let onDrained: (() => void) | undefined;
  const begin = (sock: Duplex) => inflight.set(sock, (inflight.get(sock) ?? 0) + 1);
  const end = (sock: Duplex) => {
    const left = (inflight.get(sock) ?? 1) - 1;
    if (left > 0) inflight.set(sock, left);
    else inflight.delete(sock);
    if (inflight.size === 0) onDrained?.();
  };

  const server = http2.createSecureServer({
    allowHTTP1: true,
    cert: opts.certPem,
    key: opts.keyPem,
    ca: opts.caPem,
    requestCert: true,
    rejectUnauthorized: false,
    maxHeaderSize: MAX_HEADER_BYTES,
    settings: { maxHeaderListSize: MAX_HEADER_BYTES, initialWindowSize: 1024 * 1024 },
  } as http2.SecureServerOptions);

  const admit = async (req: AnyRequest): Promise<{ auth: Authenticated; session: AgentSession; stream: TunnelStream }> => {
    if (closing) throw new FerryError('FERRY_ERR_SHUTTING_DOWN', 'controller is shutting down');
    let auth: Authenticated;
    try {
      auth = await authenticateRequest(opts.authenticators, { headers: req.headers, peerCertificate: clientCertificateOf(req) });
    } catch (err) {
      const reason = err instanceof FerryError ? err.message : 'authentication error';
      opts.onAuthFailure?.(reason);
      // The path only: a query string may carry secrets (Jenkins ?token=, presigned URLs).
      opts.log('warn', 'front door: authentication refused', { reason, remote: req.socket.remoteAddress, path: (req.url ?? '').split('?')[0] });
      throw err;
    }
    const session = opts.registry.pick(auth.route);
    const stream = await session.acquire();
    return { auth, session, stream };
  };

  server.on('request', (req: AnyRequest, res) => {
    const sock = req.socket as Duplex;
    begin(sock);
    let gone = false;
    res.on('close', () => {
      gone = true;
      end(sock);
    });
    admit(req).then(
      ({ auth, session, stream }) => {
        // The client left while we authenticated or waited for a stream: the stream
        // carried nothing yet, so it goes straight back to the pool.
        if (gone) {
          session.release(stream);
          return;
        }
        proxyRequest(req, res, stream, buildHead(req, auth), new SessionHooks(session, auth.route.type, opts));
      },
      (err: unknown) => {
        req.resume();
        sendError(res, err);
      },
    );
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, early: Buffer) => {
    // Only an upgraded connection (exec, port-forward) may stay half-open: the client may
    // finish sending while the upstream still answers. On the whole server, half-open
    // sockets leaked a file descriptor for every HTTP/1.1 client that hung up (measured:
    // 2,775 after 3,000 requests from hey -c 256), and kept killed h2 clients' sessions open.
    (socket as TLSSocket).allowHalfOpen = true;
    begin(socket);
    socket.on('close', () => end(socket));
    socket.on('error', () => undefined);
    admit(req).then(
      ({ auth, session, stream }) => {
        if (socket.destroyed) {
          session.release(stream);
          return;
        }
        proxyUpgrade(socket, early, stream, buildHead(req, auth), new SessionHooks(session, auth.route.type, opts));
      },
      (err: unknown) => sendSocketError(socket, err),
    );
  });

  // Long watches and logs -f: no request or idle timeout on the front door, and
  // keepalives (TCP, plus HTTP/2 PINGs) so load balancers in between see traffic.
  server.setTimeout(0);
  server.on('secureConnection', (socket: TLSSocket) => {
    socket.setKeepAlive(true, KEEPALIVE_MS);
    // A connection's client certificate is read once (client-certificate.ts), so it must
    // not change: TLS 1.3 and HTTP/2 have no renegotiation anyway.
    socket.disableRenegotiation();
  });
  server.on('session', (session: http2.ServerHttp2Session) => {
    const timer = setInterval(() => {
      if (!session.closed && !session.destroyed) session.ping(() => undefined);
    }, KEEPALIVE_MS);
    timer.unref();
    session.once('close', () => clearInterval(timer));
  });
  // h2 clients that break the rules (1 MB of headers, CONTINUATION floods) lose their
  // session; say why. A client simply going away is no news.
  server.on('sessionError', (err: NodeJS.ErrnoException) => {
    const gone = err.code === 'ECONNRESET' || err.code === 'EPIPE';
    opts.log(gone ? 'debug' : 'warn', 'front door: h2 session error', { reason: err.message, code: err.code });
  });
  // HTTP/1.1 requests Node cannot parse (headers over the limit, malformed lines):
  // answer like Node would, with ferry's JSON body, and log it.
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
    const reason = tooLarge ? `request headers exceed ${MAX_HEADER_BYTES} bytes` : `malformed request (${err.code ?? err.message})`;
    opts.log('warn', 'front door: bad request refused', { reason, remote: (socket as TLSSocket).remoteAddress });
    sendSocketError(socket, new FerryError(tooLarge ? 'FERRY_ERR_TOO_LARGE' : 'FERRY_ERR_BAD_INPUT', reason));
  });
  server.on('secureConnection', (socket: TLSSocket) => {
    connections.add(socket);
    socket.on('close', () => connections.delete(socket));
  });
  server.on('tlsClientError', (err: Error) => opts.log('debug', 'front door: TLS handshake failed', { reason: err.message }));

  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    // A burst of new clients (1,000 at once in the cancel-storm bench) overflows the default 511.
    server.listen({ port: opts.port, host: opts.host, backlog: 4096 }, () => {
      server.off('error', reject);
      const addr = server.address();
      resolve(typeof addr === 'object' && addr ? addr.port : opts.port);
    });
  });

  return {
    port,
    close(deadlineMs = 10_000) {
      closing = true;
      return new Promise<void>((resolve) => {
        const finish = (late: boolean) => {
          clearTimeout(timer);
          onDrained = undefined;
          if (late) for (const s of inflight.keys()) s.destroy();
          // Nothing in flight any more: idle keep-alive connections only, end them now.
          for (const s of connections) s.end();
          resolve();
        };
        const timer = setTimeout(() => finish(true), deadlineMs);
        onDrained = () => finish(false);
        server.close();
        if (inflight.size === 0) finish(false);
      });
    },
  };
}
