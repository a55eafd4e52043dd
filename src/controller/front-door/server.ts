// The front door's server: HTTPS (HTTP/1.1 and h2) for clients. Each request goes to a
// local handler mounted at its path, or through the pipeline (pipeline.ts) and the tunnel.
// Also here: keepalives, bad-request answers, and a drain that lets requests finish.
import type { IncomingMessage } from 'node:http';
import * as http2 from 'node:http2';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { FerryError } from '../../errors.js';
import { ferryCiphers } from '../../pki/tls-ciphers.js';
import { sendError, sendSocketError } from '../../relay/http-error.js';
import { requestHeadOf } from '../../relay/request-head.js';
import { sendRequest } from '../../relay/send-request.js';
import { sendUpgrade } from '../../relay/send-upgrade.js';
import { SessionHooks, type TunnelRequestEvents } from './session-hooks.js';
import type { SessionRegistry } from '../session-registry.js';
import { LocalHandlers } from './local-handlers.js';
import { FrontDoorPipeline } from './pipeline.js';
import { ConnectionGuard, type FrontDoorLimits } from './connection-guard.js';
import { routeErrorShape } from './route-error-shape.js';
import type { AnyRequest, AnyResponse, Authenticator, Authoriser, LocalHandler, RouteResolver } from './types.js';

export interface FrontDoorOptions extends TunnelRequestEvents {
  host: string;
  port: number;
  certPem: string;
  keyPem: string;
  caPem: string;
  registry: SessionRegistry;
  authenticators: readonly Authenticator[];
  /** Route resolvers tried before the built-in one (the credential's route). */
  resolvers?: readonly RouteResolver[];
  /** Policies asked after the built-in one (a credential bound to a route opens that route only). */
  authorisers?: readonly Authoriser[];
  /** Local handlers mounted from the start. */
  handlers?: readonly LocalHandler[];
  onAuthFailure?: (reason: string) => void;
  /** Connection limits (connection-guard.ts); each unset one has its default. */
  limits?: Partial<FrontDoorLimits>;
}

export interface FrontDoor {
  port: number;
  /** Serves `handler.path` locally from now on (throws FERRY_ERR_EXISTS when taken). */
  mount(handler: LocalHandler): void;
  unmount(handler: LocalHandler): void;
  addResolver(resolver: RouteResolver): void;
  addAuthoriser(authoriser: Authoriser): void;
  /** Stop accepting; resolves when in-flight requests are done or the deadline passes. */
  close(deadlineMs?: number): Promise<void>;
}

const KEEPALIVE_MS = 30_000;

/**
 * On an HTTP/1 connection only HTTP/1.x request lines: one without a version ("GET /path",
 * HTTP/0.9) has no headers to authenticate or route by, and "HTTP/2.0" there would pass
 * for an h2 request (httpVersionMajor 2) with no h2 stream behind it.
 */
function versionRefusal(req: AnyRequest): FerryError | undefined {
  if ('stream' in req || req.httpVersionMajor === 1) return undefined;
  return new FerryError('FERRY_ERR_BAD_INPUT', `HTTP/${req.httpVersion} request lines are not accepted: send HTTP/1.1 or h2`);
}

/** A local handler's request: its caller first when it needs one, then the handler; refusals in its shape. */
async function serveLocal(pipeline: FrontDoorPipeline, guard: ConnectionGuard, h: LocalHandler, req: AnyRequest, res: AnyResponse): Promise<void> {
  try {
    const caller = h.needsCaller ? await pipeline.authenticate(req, FrontDoorPipeline.requestOf(req)) : undefined;
    if (caller) guard.authenticated(req);
    if (pipeline.closing) throw new FerryError('FERRY_ERR_SHUTTING_DOWN', 'controller is shutting down');
    await h.handle(req, res, caller);
  } catch (err) {
    req.resume();
    sendError(res, err, { shape: h.errorShape });
  }
}

async function upgradeLocal(pipeline: FrontDoorPipeline, h: LocalHandler, req: IncomingMessage, socket: Duplex, early: Buffer): Promise<void> {
  try {
    if (!h.upgrade) throw new FerryError('FERRY_ERR_NOT_IMPLEMENTED', `${h.path} takes no upgrade`);
    const caller = h.needsCaller ? await pipeline.authenticate(req, FrontDoorPipeline.requestOf(req)) : undefined;
    if (pipeline.closing) throw new FerryError('FERRY_ERR_SHUTTING_DOWN', 'controller is shutting down');
    await h.upgrade(req, socket, early, caller);
  } catch (err) {
    if (!socket.destroyed) sendSocketError(socket, err, { shape: h.errorShape });
  }
}

export async function startFrontDoor(opts: FrontDoorOptions): Promise<FrontDoor> {
  // Requests and upgrades in progress (keyed by req.socket, which for h2 is a per-stream
  // proxy, so each h2 request counts once),
  // and every open connection: a drain ends when the count is zero, then closes the idle
  // keep-alive connections instead of waiting for their timeouts.
  const inflight = new Map<Duplex, number>();
  const connections = new Set<Duplex>();
  let onDrained: (() => void) | undefined;
  const begin = (sock: Duplex) => inflight.set(sock, (inflight.get(sock) ?? 0) + 1);
  const end = (sock: Duplex) => {
    const left = (inflight.get(sock) ?? 1) - 1;
    if (left > 0) inflight.set(sock, left);
    else inflight.delete(sock);
    if (inflight.size === 0) onDrained?.();
  };

  const pipeline = new FrontDoorPipeline(opts);
  const guard = new ConnectionGuard(opts.limits, opts.log);
  const maxHeaderBytes = guard.limits.maxHeaderBytes;
  const local = new LocalHandlers();
  for (const h of opts.handlers ?? []) local.mount(h);

  const server = http2.createSecureServer({
    allowHTTP1: true,
    cert: opts.certPem,
    key: opts.keyPem,
    ca: opts.caPem,
    requestCert: true,
    rejectUnauthorized: false,
    // Our suite order, not the client's (curl and Node clients put AES-256 first): tls-ciphers.ts.
    ciphers: ferryCiphers(),
    honorCipherOrder: true,
    maxHeaderSize: maxHeaderBytes,
    settings: { maxHeaderListSize: maxHeaderBytes, initialWindowSize: 1024 * 1024 },
    ...guard.tlsOptions(),
  } as http2.SecureServerOptions);
  guard.attach(server);

  server.on('request', (req: AnyRequest, res: AnyResponse) => {
    const badVersion = versionRefusal(req);
    if (badVersion) {
      req.resume();
      res.setHeader('connection', 'close');
      sendError(res, badVersion);
      return;
    }
    const sock = req.socket as Duplex;
    begin(sock);
    guard.requestStarted(req);
    let gone = false;
    res.on('close', () => {
      gone = true;
      end(sock);
      guard.requestEnded(req);
    });
    const refusal = guard.refusalOf(req);
    if (refusal) {
      req.resume();
      if (req.httpVersionMajor !== 2) res.setHeader('connection', 'close');
      sendError(res, refusal.error);
      res.once('finish', refusal.drop);
      return;
    }
    const handler = local.match(req);
    if (handler) {
      void serveLocal(pipeline, guard, handler, req, res);
      return;
    }
    pipeline.admit(req).then(
      (admitted) => {
        guard.authenticated(req);
        // The client left while we authenticated or waited for a stream: the stream
        // carried nothing yet, so it goes straight back to the pool.
        if (gone) {
          admitted.session.release(admitted.stream);
          admitted.lease?.release();
          return;
        }
        sendRequest(req, res, admitted.stream, requestHeadOf(req, admitted.route, admitted.caller, 'https', admitted.route.path), new SessionHooks(admitted.session, admitted.route.type, opts, admitted.lease));
      },
      (err: unknown) => {
        req.resume();
        sendError(res, err, { shape: routeErrorShape(req) });
      },
    );
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, early: Buffer) => {
    // Only an upgraded connection (exec, port-forward) may stay half-open: the client may
    // finish sending while the upstream still answers. On the whole server, half-open
    // sockets leaked a file descriptor for every HTTP/1.1 client that hung up (measured:
    // 2,775 after 3,000 requests from hey -c 256), and kept killed h2 clients' sessions open.
    const badVersion = versionRefusal(req);
    if (badVersion) {
      sendSocketError(socket, badVersion);
      return;
    }
    (socket as TLSSocket).allowHalfOpen = true;
    begin(socket);
    guard.requestStarted(req);
    socket.on('close', () => end(socket));
    socket.on('error', () => undefined);
    const refusal = guard.refusalOf(req);
    if (refusal) {
      sendSocketError(socket, refusal.error);
      return;
    }
    const handler = local.match(req);
    if (handler) {
      void upgradeLocal(pipeline, handler, req, socket, early);
      return;
    }
    pipeline.admit(req).then(
      (admitted) => {
        guard.authenticated(req);
        if (socket.destroyed) {
          admitted.session.release(admitted.stream);
          admitted.lease?.release();
          return;
        }
        sendUpgrade(socket, early, admitted.stream, requestHeadOf(req, admitted.route, admitted.caller, 'https', admitted.route.path), new SessionHooks(admitted.session, admitted.route.type, opts, admitted.lease));
      },
      (err: unknown) => sendSocketError(socket, err, { shape: routeErrorShape(req) }),
    );
  });

  // HTTP/1.1 CONNECT (a forward-proxy request): Node drops the socket silently without this.
  server.on('connect', (_req: IncomingMessage, socket: Duplex) => {
    socket.on('error', () => undefined);
    sendSocketError(socket, new FerryError('FERRY_ERR_METHOD', 'CONNECT is not supported: ferry is not a forward proxy'));
  });

  // Long watches and logs -f: no socket inactivity timeout (the guard's idle timeout counts
  // only connections with no request in flight), and keepalives (TCP, plus HTTP/2 PINGs on
  // sessions that carry streams) so load balancers in between see traffic.
  server.setTimeout(0);
  server.on('secureConnection', (socket: TLSSocket) => {
    socket.setKeepAlive(true, KEEPALIVE_MS);
    // A connection's client certificate is read once (client-certificate.ts), so it must
    // not change: TLS 1.3 and HTTP/2 have no renegotiation anyway.
    socket.disableRenegotiation();
  });
  server.on('session', (session: http2.ServerHttp2Session) => {
    const timer = setInterval(() => {
      if (!session.closed && !session.destroyed && guard.carriesStreams(session)) session.ping(() => undefined);
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
    // A TLS failure (a handshake that never finished) has no HTTP to answer in.
    if (err.code === 'ECONNRESET' || err.code?.startsWith('ERR_TLS_') || !socket.writable) {
      socket.destroy();
      return;
    }
    const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
    const slow = err.code === 'ERR_HTTP_REQUEST_TIMEOUT';
    const reason = tooLarge
      ? `request headers exceed ${maxHeaderBytes} bytes`
      : slow
        ? `request head not received within ${guard.limits.headersTimeoutMs} ms`
        : `malformed request (${err.code ?? err.message})`;
    opts.log(slow ? 'debug' : 'warn', 'front door: bad request refused', { reason, remote: (socket as TLSSocket).remoteAddress });
    sendSocketError(socket, new FerryError(tooLarge ? 'FERRY_ERR_TOO_LARGE' : slow ? 'FERRY_ERR_REQUEST_TIMEOUT' : 'FERRY_ERR_BAD_INPUT', reason));
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
    mount: (handler) => local.mount(handler),
    unmount: (handler) => local.unmount(handler),
    addResolver: (resolver) => pipeline.addResolver(resolver),
    addAuthoriser: (authoriser) => pipeline.addAuthoriser(authoriser),
    close(deadlineMs = 10_000) {
      pipeline.closing = true;
      guard.close();
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
