// The front door's limits on connections: how long a client may take to finish its TLS
// handshake and its request head, how long a connection may sit with no request in
// flight, how many connections there may be in all and per client address, and how long
// an HTTP/2 session may stay without authenticating a stream. Anyone can open a
// connection, so none of this may wait for a credential.
//
// One sweep timer checks every tracked connection (a timer per connection would cost a
// Timeout object each; at 10k held connections the sweep is ~10k comparisons a tick).
// "Idle" means no request in flight: a watch, a `logs -f` or an upgraded connection
// (exec, port-forward) is busy however quiet it is.
import type { Http2ServerRequest, Http2Session, ServerHttp2Session } from 'node:http2';
import type { Server } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { FerryError } from '../../errors.js';
import type { LogFn } from '../../observability/log-fn.js';
import type { AnyRequest } from './types.js';

export interface FrontDoorLimits {
  /** A request head (line and headers) must arrive whole within this time of its first byte (of the connection, for the first). */
  headersTimeoutMs: number;
  /** The largest request head, in bytes (HTTP/1.1 line + headers; the h2 header list). */
  maxHeaderBytes: number;
  /** A connection with no request in flight is closed after this long. */
  idleTimeoutMs: number;
  /** The TLS handshake must finish within this time of the TCP connect. */
  handshakeTimeoutMs: number;
  /** Connections open at once, from all clients; the surplus is answered 503 and closed. */
  maxConnections: number;
  /** Connections open at once from one client address; the surplus is answered 429 and closed. */
  maxConnectionsPerAddress: number;
  /** An HTTP/2 session that has not authenticated a stream within this time is closed. */
  h2AuthTimeoutMs: number;
}

export const DEFAULT_FRONT_DOOR_LIMITS: FrontDoorLimits = {
  headersTimeoutMs: 20_000,
  maxHeaderBytes: 64 * 1024,
  idleTimeoutMs: 60_000,
  handshakeTimeoutMs: 10_000,
  maxConnections: 10_000,
  maxConnectionsPerAddress: 256,
  h2AuthTimeoutMs: 10_000,
};

/** One accepted TLS connection (HTTP/1.1 or h2). */
interface Tracked {
  readonly socket: TLSSocket;
  readonly address: string;
  readonly since: number;
  session: ServerHttp2Session | undefined;
  /** Requests (h1) or streams (h2) open on it now. */
  inflight: number;
  /** When inflight last went to 0 (the connection's start before any request). */
  idleSince: number;
  authenticated: boolean;
  /** Why it is refused (over a cap): its first request is answered with this, then it closes. */
  refusal: FerryError | undefined;
  /** When an unauthenticated h2 session was told to go away (then destroyed if it lingers). */
  goneAwayAt: number;
}

const MIN_SWEEP_MS = 100;
/** A refused connection is closed after this long even if it never asked. */
const REFUSED_LINGER_MS = 5_000;
const MAX_SWEEP_MS = 5_000;

export class ConnectionGuard {
  readonly limits: FrontDoorLimits;
  private readonly tracked = new Map<TLSSocket, Tracked>();
  private readonly h2 = new WeakMap<Http2Session, Tracked>();
  private readonly perAddress = new Map<string, number>();
  private accepted = 0;
  private sweeper: NodeJS.Timeout | undefined;
  /** The socket whose 'secureConnection' is being handled: Node emits 'session' synchronously inside it. */
  private securing: Tracked | undefined;
  refusedTotal = 0;
  closedIdle = 0;

  constructor(
    limits: Partial<FrontDoorLimits> | undefined,
    private readonly log: LogFn,
  ) {
    this.limits = { ...DEFAULT_FRONT_DOOR_LIMITS, ...stripUndefined(limits ?? {}) };
  }

  /** TLS options for the server (handshake timeout). */
  tlsOptions(): { handshakeTimeout: number } {
    return { handshakeTimeout: this.limits.handshakeTimeoutMs };
  }

  /** Installs the guard on the front door's server (before it listens). */
  attach(server: Server & { headersTimeout?: number; requestTimeout?: number; connectionsCheckingInterval?: number }): void {
    const l = this.limits;
    // HTTP/1.1: Node's own check (parser start → headers complete) enforces the head's
    // deadline, including the first request's; it runs every connectionsCheckingInterval.
    server.headersTimeout = l.headersTimeoutMs;
    // A long upload is not a slow client; the idle and head limits cover the abuse.
    server.requestTimeout = 0;
    server.connectionsCheckingInterval = sweepMsOf(l);
    // Beyond the caps a connection is still let through the handshake so that it can be
    // told why; past this hard ceiling it is dropped at accept.
    server.maxConnections = Math.ceil(l.maxConnections * 1.1) + 64;
    // Before http2's own listener, so that a session's record exists when 'session' fires.
    server.prependListener('secureConnection', (socket: TLSSocket) => this.onSecure(socket));
    server.on('session', (session: ServerHttp2Session) => this.onSession(session));
    this.sweeper = setInterval(() => this.sweep(), sweepMsOf(l));
    this.sweeper.unref();
  }

  close(): void {
    clearInterval(this.sweeper);
  }

  /** Connections accepted (not refused) now. */
  get open(): number {
    return this.accepted;
  }

  /** A request started on its connection. */
  requestStarted(req: AnyRequest): void {
    const t = this.h1Of(req);
    if (t) t.inflight++;
  }

  /** A request ended on its connection (h1; h2 streams are counted by the session). */
  requestEnded(req: AnyRequest): void {
    const t = this.h1Of(req);
    if (!t) return;
    t.inflight = Math.max(0, t.inflight - 1);
    if (t.inflight === 0) t.idleSince = Date.now();
  }

  /** The request's caller was authenticated: its h2 session may stay. */
  authenticated(req: AnyRequest): void {
    const t = this.trackedOf(req);
    if (t) t.authenticated = true;
  }

  /** The refusal for a request on a connection over a cap, if it is one, and how to let that connection go once answered. */
  refusalOf(req: AnyRequest): { error: FerryError; drop: () => void } | undefined {
    const t = this.trackedOf(req);
    if (!t?.refusal) return undefined;
    return { error: t.refusal, drop: () => (t.session ? t.session.close() : t.socket.end()) };
  }

  /** Does this h2 session carry streams? (Keepalive PINGs only for those.) */
  carriesStreams(session: Http2Session): boolean {
    return (this.h2.get(session)?.inflight ?? 0) > 0;
  }

  private h1Of(req: AnyRequest): Tracked | undefined {
    if (req.httpVersionMajor === 2) return undefined;
    return this.tracked.get(req.socket as TLSSocket);
  }

  private trackedOf(req: AnyRequest): Tracked | undefined {
    if (req.httpVersionMajor === 2) return this.h2.get((req as Http2ServerRequest).stream.session!);
    return this.tracked.get(req.socket as TLSSocket);
  }

  private onSecure(socket: TLSSocket): void {
    const now = Date.now();
    const address = socket.remoteAddress ?? '';
    const t: Tracked = { socket, address, since: now, session: undefined, inflight: 0, idleSince: now, authenticated: false, refusal: undefined, goneAwayAt: 0 };
    const fromAddress = this.perAddress.get(address) ?? 0;
    if (this.accepted >= this.limits.maxConnections) {
      t.refusal = new FerryError('FERRY_ERR_UNAVAILABLE', `too many connections: the front door holds its limit of ${this.limits.maxConnections}; try again later`);
    } else if (fromAddress >= this.limits.maxConnectionsPerAddress) {
      t.refusal = new FerryError('FERRY_ERR_RATE_LIMITED', `too many connections from ${address}: at most ${this.limits.maxConnectionsPerAddress} at once`);
    }
    this.tracked.set(socket, t);
    if (t.refusal) {
      this.refusedTotal++;
      this.log('warn', 'front door: connection refused', { reason: t.refusal.message, remote: address });
      socket.once('close', () => this.tracked.delete(socket));
    } else {
      this.accepted++;
      this.perAddress.set(address, fromAddress + 1);
      socket.once('close', () => this.forget(t));
    }
    this.securing = t;
    // http2's listener runs next (synchronously) and emits 'session' for h2.
    queueMicrotask(() => {
      if (this.securing === t) this.securing = undefined;
    });
  }

  private forget(t: Tracked): void {
    this.tracked.delete(t.socket);
    this.accepted--;
    const left = (this.perAddress.get(t.address) ?? 1) - 1;
    if (left > 0) this.perAddress.set(t.address, left);
    else this.perAddress.delete(t.address);
  }

  private onSession(session: ServerHttp2Session): void {
    const t = this.securing;
    if (!t) return;
    this.securing = undefined;
    t.session = session;
    this.h2.set(session, t);
    session.on('stream', (stream) => {
      t.inflight++;
      stream.once('close', () => {
        t.inflight--;
        if (t.inflight === 0) t.idleSince = Date.now();
      });
    });
  }

  private sweep(): void {
    const now = Date.now();
    const l = this.limits;
    for (const t of this.tracked.values()) {
      if (t.socket.destroyed) continue;
      if (t.refusal) {
        // Its answer had time to be asked for and read.
        if (now - t.since > Math.min(l.headersTimeoutMs, REFUSED_LINGER_MS)) t.socket.destroy();
        continue;
      }
      if (t.session) this.sweepSession(t, now);
      else if (t.inflight === 0 && now - t.idleSince > l.idleTimeoutMs) this.closeIdle(t, 'idle');
    }
  }

  private sweepSession(t: Tracked, now: number): void {
    const l = this.limits;
    const session = t.session!;
    if (!t.authenticated) {
      if (t.goneAwayAt === 0 && now - t.since > l.h2AuthTimeoutMs) {
        t.goneAwayAt = now;
        this.log('debug', 'front door: h2 session closed', { reason: `no authenticated stream within ${l.h2AuthTimeoutMs} ms`, remote: t.address });
        if (t.inflight === 0) session.destroy();
        else session.close();
      } else if (t.goneAwayAt !== 0 && now - t.goneAwayAt > l.headersTimeoutMs) session.destroy();
      return;
    }
    if (t.inflight === 0 && now - t.idleSince > l.idleTimeoutMs) this.closeIdle(t, 'idle h2 session');
  }

  private closeIdle(t: Tracked, what: string): void {
    this.closedIdle++;
    this.log('debug', `front door: ${what} connection closed`, { reason: `no request for ${this.limits.idleTimeoutMs} ms`, remote: t.address });
    if (t.session) t.session.close();
    else t.socket.destroy();
  }
}

function sweepMsOf(l: FrontDoorLimits): number {
  const shortest = Math.min(l.headersTimeoutMs, l.idleTimeoutMs, l.h2AuthTimeoutMs);
  return Math.max(MIN_SWEEP_MS, Math.min(MAX_SWEEP_MS, Math.floor(shortest / 4)));
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
