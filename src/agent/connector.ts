// The agent's link to a controller: dial with mTLS, say Hello, keep a pool of idle
// Stream calls, serve requests on them, and reconnect forever with backoff.
import * as grpc from '@grpc/grpc-js';
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { createSecureContext, type SecureContext } from 'node:tls';
import { FerryError, messageOf, withoutStackTraces } from '../errors.js';
import { ferryCiphers } from '../pki/tls-ciphers.js';
import { ferryVersion } from '../version.js';
import { HTTP2_WINDOW_BYTES, MAX_MESSAGE_BYTES, METADATA_DIRECTION, METADATA_SESSION } from '../tunnel/limits.js';
import { tunnelPackage } from '../tunnel/proto.js';
import { TunnelStream, type StreamOwner } from '../tunnel/tunnel-stream.js';
import type { AgentEvent, ControllerEventIn, FrameIn, Service } from '../tunnel/types.js';
import type { TunnelClient } from '../gen/ferry/tunnel/v1/Tunnel.js';
import { Backoff } from './backoff.js';
import { ReceiveWindowFits } from './round-trip-probe.js';
import { serveRequest as runRequest, type ServeContext as RunnerContext } from '../relay/serve-request.js';

export interface AgentTlsMaterial {
  caPem: string;
  certPem: string;
  keyPem: string;
}

export interface ConnectorOptions {
  agentName: string;
  address: string;
  serverName?: string;
  /** Read at every dial, so a renewed certificate is used on the next connection. */
  tls: () => Promise<AgentTlsMaterial>;
  services: () => Service[];
  annotations: Record<string, string>;
  minIdleStreams: number;
  maxStreams: number;
  runner: Omit<RunnerContext, 'onIdle' | 'onDead' | 'agentName'>;
  log: RunnerContext['log'];
  onConnected?: (connected: boolean) => void;
  onReconnect?: () => void;
  /** A pooled Stream call was opened (metrics). */
  onStreamOpened?: () => void;
  /** Round-trip fits shared with the agent's other connectors (round-trip-probe.ts). */
  windowFits?: ReceiveWindowFits;
  /**
   * The controller's Welcome named its replica and the live set: return a reason to hang up
   * and dial again soon (this agent already holds a session to that replica).
   */
  onWelcome?: (welcome: { replicaId: string; replicas: string[] }) => string | undefined;
  /** The controller told of a new live replica set. */
  onReplicas?: (replicas: string[]) => void;
  /** Where each new connection goes (default: `address` with `serverName`). */
  target?: () => Promise<{ address: string; serverName?: string }>;
}

/** A connection dropped because it reached a replica this agent already holds: dial again soon. */
const QUICK_RETRY_MS = { min: 100, max: 600 };

type ControlCall = grpc.ClientDuplexStream<AgentEvent, ControllerEventIn>;
type StreamCall = grpc.ClientDuplexStream<unknown, unknown>;

/** A listener shared by every call (one closure, not one per pooled call). */
function ignore(): void {}

/** Aborts a Stream call: the controller sees it cancelled. */
function cancelCall(call: StreamCall): void {
  call.cancel();
}

/** Reverse streams (this agent's own requests) are never pooled: a frame out of turn ends one. */
const REVERSE_OWNER: StreamOwner<StreamCall> = {
  cancel: cancelCall,
  onStray: (s, frame) => {
    if (frame) s.abort('unexpected frame');
  },
};

interface LiveSession {
  id: string;
  client: TunnelClient;
  control: ControlCall;
  streams: Set<TunnelStream>;
  idle: number;
  draining: boolean;
  ended: Promise<string>;
  /** Shared by the session's pooled streams. */
  owner: StreamOwner<StreamCall>;
  /** Built once per session; every request on it shares it. */
  runner?: RunnerContext;
  /** The fewer of our streams.max and the controller's limit (Welcome.maxStreams, 0 = none). */
  maxStreams: number;
}

export class Connector {
  private readonly instanceId = randomUUID();
  private stopped = false;
  private session: LiveSession | undefined;
  private readonly backoff = new Backoff();
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private quickRetry = false;
  /** The receive window of the last dial: logged when a new dial fits another. */
  private windowBytes = HTTP2_WINDOW_BYTES;
  connected = false;
  /** The controller replica this connector's live session is with ('' when none or not said). */
  replicaId = '';

  private readonly windowFits: ReceiveWindowFits;

  constructor(private readonly opts: ConnectorOptions) {
    this.windowFits = opts.windowFits ?? new ReceiveWindowFits();
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Active requests in flight right now. */
  get activeStreams(): number {
    const s = this.session;
    return s ? s.streams.size - s.idle : 0;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const startedAt = Date.now();
      let why: string;
      try {
        why = await this.connectOnce();
      } catch (err) {
        why = messageOf(err);
      }
      this.setConnected(false);
      if (this.stopped) break;
      if (Date.now() - startedAt > 10_000) this.backoff.reset();
      const quick = this.quickRetry;
      this.quickRetry = false;
      const delay = quick ? Math.round(QUICK_RETRY_MS.min + Math.random() * (QUICK_RETRY_MS.max - QUICK_RETRY_MS.min)) : this.backoff.next();
      this.opts.log(quick ? 'debug' : 'warn', 'disconnected from controller; retrying', { reason: why, retryInMs: delay });
      this.opts.onReconnect?.();
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, delay);
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  private setConnected(v: boolean): void {
    if (this.connected === v) return;
    this.connected = v;
    this.opts.onConnected?.(v);
  }

  /** One connection's life; resolves with the reason it ended. */
  private async connectOnce(): Promise<string> {
    const material = await this.opts.tls();
    const target = this.opts.target ? await this.opts.target() : { address: this.opts.address, serverName: this.opts.serverName };
    const secureContext = createSecureContext({ ca: material.caPem, cert: material.certPem, key: material.keyPem, minVersion: 'TLSv1.3', ciphers: ferryCiphers() });
    const creds = grpc.credentials.createFromSecureContext(secureContext);
    const windowBytes = await this.receiveWindowFor(target.address, target.serverName, secureContext);
    const channelOptions: grpc.ChannelOptions = {
      'grpc.keepalive_time_ms': 20_000,
      'grpc.keepalive_timeout_ms': 10_000,
      'grpc.keepalive_permit_without_calls': 1,
      'grpc-node.flow_control_window': windowBytes,
      'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
      'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
      'grpc.initial_reconnect_backoff_ms': 500,
      // Channelz keeps per-call trackers for every pooled Stream call; nothing reads them.
      'grpc.enable_channelz': 0,
    };
    if (target.serverName) {
      channelOptions['grpc.ssl_target_name_override'] = target.serverName;
      channelOptions['grpc.default_authority'] = target.serverName;
    }
    const Client = tunnelPackage().ferry.tunnel.v1.Tunnel;
    const client = new Client(target.address, creds, channelOptions);
    const control = client.Control() as ControlCall;
    let resolveEnded!: (why: string) => void;
    const ended = new Promise<string>((r) => (resolveEnded = r));
    control.on('error', (err: grpc.ServiceError) => resolveEnded(err.details || err.message));
    control.on('end', () => resolveEnded('controller closed the connection'));

    this.sendControl(control, {
      hello: {
        version: ferryVersion(),
        hostname: hostname(),
        services: this.opts.services(),
        annotations: this.opts.annotations,
        instanceId: this.instanceId,
        name: this.opts.agentName,
      },
    });

    const welcome = await new Promise<ControllerEventIn | string>((resolve) => {
      const timer = setTimeout(() => resolve('no Welcome from the controller within 15 s'), 15_000);
      control.once('data', (ev: ControllerEventIn) => {
        clearTimeout(timer);
        resolve(ev);
      });
      void ended.then((why) => {
        clearTimeout(timer);
        resolve(why);
      });
    });
    // drain() ran while this connection was being made: it saw no session to close.
    if (this.stopped) {
      control.cancel();
      client.close();
      return 'stopped while connecting';
    }
    if (typeof welcome === 'string' || welcome.event !== 'welcome' || !welcome.welcome) {
      control.cancel();
      client.close();
      if (typeof welcome === 'string') return welcome;
      if (welcome.refused) throw new FerryError('FERRY_ERR_FORBIDDEN', `controller refused this agent: ${welcome.refused.reason}`);
      return `unexpected first message ${welcome.event ?? ''}`;
    }
    const replicaId = welcome.welcome.replicaId;
    const hangUp = this.opts.onWelcome?.({ replicaId, replicas: welcome.welcome.replicas });
    if (hangUp) {
      control.end();
      client.close();
      this.quickRetry = true;
      return hangUp;
    }

    const session: LiveSession = {
      id: welcome.welcome.sessionId,
      client,
      control,
      streams: new Set(),
      idle: 0,
      draining: false,
      ended,
      maxStreams: welcome.welcome.maxStreams > 0 ? Math.min(this.opts.maxStreams, welcome.welcome.maxStreams) : this.opts.maxStreams,
      owner: {
        cancel: cancelCall,
        onStray: (s, frame) => this.onIdleFrame(session, s, frame),
      },
    };
    this.session = session;
    this.replicaId = replicaId;
    this.setConnected(true);
    // Health may have changed between Hello and Welcome.
    this.updateServices();
    this.opts.log('info', 'connected to controller', { address: target.address, session: session.id, ...(replicaId ? { replica: replicaId } : {}) });

    control.on('data', (ev: ControllerEventIn) => this.onControl(session, ev));
    const pinger = setInterval(() => this.sendControl(control, { ping: { nonce: String(Date.now()) } }), 15_000);
    this.topUp(session, 0);

    const why = await ended;
    clearInterval(pinger);
    this.session = undefined;
    this.replicaId = '';
    // No new streams on a connection that is gone.
    session.draining = true;
    for (const s of session.streams) s.abort('connection lost');
    client.close();
    return why;
  }

  /** This dial's per-stream receive window (round-trip-probe.ts), logged when it changes. */
  private async receiveWindowFor(address: string, serverName: string | undefined, secureContext: SecureContext): Promise<number> {
    const fit = await this.windowFits.windowFor(address, serverName, secureContext);
    if (fit.windowBytes !== this.windowBytes) {
      this.opts.log('info', 'receive window fitted to the round trip', { rttMs: fit.rttMs, windowMiB: fit.windowBytes / (1024 * 1024) });
      this.windowBytes = fit.windowBytes;
    }
    return fit.windowBytes;
  }

  private sendControl(control: ControlCall, ev: AgentEvent): void {
    control.write(ev);
  }

  private onControl(session: LiveSession, ev: ControllerEventIn): void {
    switch (ev.event) {
      case 'open':
        this.topUp(session, ev.open?.count ?? 1);
        break;
      case 'ping':
        this.sendControl(session.control, { pong: { nonce: ev.ping?.nonce ?? '0' } });
        break;
      case 'draining':
        this.opts.log('info', 'controller is draining; will reconnect when it goes', { reason: ev.draining?.reason });
        break;
      case 'replicas':
        this.opts.onReplicas?.(ev.replicas?.replicas ?? []);
        break;
      case 'renewed': {
        const waiter = this.renewWaiter;
        this.renewWaiter = undefined;
        if (!waiter) break;
        const r = ev.renewed;
        if (r && r.certificatePem !== '') waiter.resolve(r.certificatePem);
        else waiter.reject(new FerryError('FERRY_ERR_CERT', `controller refused to renew the certificate: ${r?.error || 'no reason given'}`));
        break;
      }
      default:
        break;
    }
  }

  /** Keep at least minIdle idle streams, plus `extra` the controller asked for. */
  private topUp(session: LiveSession, extra: number): void {
    if (session.draining || this.stopped) return;
    const want = Math.max(this.opts.minIdleStreams - session.idle, 0) + extra;
    for (let i = 0; i < want && session.streams.size < session.maxStreams; i++) this.openStream(session);
  }

  private openStream(session: LiveSession): void {
    const md = new grpc.Metadata();
    md.set(METADATA_SESSION, session.id);
    // A pooled call can live for hours (watches); its errors are never shown with the caller's stack.
    const call = withoutStackTraces(() => session.client.Stream(md));
    const stream = new TunnelStream(call, session.owner);
    call.on('error', ignore);
    call.on('metadata', ignore);
    session.streams.add(stream);
    session.idle++;
    this.opts.onStreamOpened?.();
  }

  private runnerContext(session: LiveSession): RunnerContext {
    return {
      ...this.opts.runner,
      agentName: this.opts.agentName,
      log: this.opts.log,
      onIdle: (s) => {
        s.detach();
        if (s.isClosed || session.draining) {
          // Not going back to the pool: forget it now, so its later close is not counted.
          session.streams.delete(s);
          s.close();
        } else {
          session.idle++;
        }
        this.afterRequestDone(session);
      },
      onDead: (s) => {
        session.streams.delete(s);
        this.afterRequestDone(session);
        this.topUp(session, 0);
      },
    };
  }

  /** A frame on an idle stream is a new request; a close on one shrinks the pool. */
  private onIdleFrame(session: LiveSession, s: TunnelStream, frame: FrameIn | null): void {
    if (frame === null) {
      if (session.streams.delete(s)) session.idle--;
      return;
    }
    if (frame.kind !== 'request' || !frame.request) {
      this.opts.log('warn', 'controller sent a frame on an idle stream; closing it', { kind: frame.kind });
      s.abort('protocol error');
      return;
    }
    session.idle--;
    this.topUp(session, 0);
    session.runner ??= this.runnerContext(session);
    runRequest(s, frame.request, session.runner);
  }

  private drainWaiters: (() => void)[] = [];
  private renewWaiter: { resolve: (pem: string) => void; reject: (e: Error) => void } | undefined;

  /** Tells the controller the services' current state (health); the next Hello carries it when not connected. */
  updateServices(): void {
    const session = this.session;
    if (!session || session.draining) return;
    this.sendControl(session.control, { services: { services: this.opts.services() } });
  }

  /** Sends a CSR over the live control stream; resolves with the new certificate PEM. One at a time. */
  renew(csrPem: string, timeoutMs = 30_000): Promise<string> {
    const session = this.session;
    if (!session) return Promise.reject(new FerryError('FERRY_ERR_AGENT_LOST', 'not connected to a controller'));
    if (this.renewWaiter) return Promise.reject(new FerryError('FERRY_ERR_BAD_INPUT', 'a renewal is already in flight'));
    return new Promise<string>((resolve, reject) => {
      const waiter = {
        resolve: (pem: string) => {
          clearTimeout(timer);
          resolve(pem);
        },
        reject: (e: Error) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      const fail = (why: string) => {
        if (this.renewWaiter !== waiter) return;
        this.renewWaiter = undefined;
        waiter.reject(new FerryError('FERRY_ERR_AGENT_LOST', why));
      };
      const timer = setTimeout(() => fail('no answer to the renewal request in time'), timeoutMs);
      this.renewWaiter = waiter;
      void session.ended.then(() => fail('connection lost during renewal'));
      this.sendControl(session.control, { renew: { csrPem } });
    });
  }

  /** A draining agent stops once nothing is in flight. */
  private afterRequestDone(session: LiveSession): void {
    if (session.draining && session.streams.size - session.idle <= 0) for (const w of this.drainWaiters.splice(0)) w();
  }

  /** A fresh Stream call for a request this agent starts (the reverse direction); never pooled. */
  openReverseStream(): TunnelStream {
    const session = this.session;
    if (!session || session.draining) throw new FerryError('FERRY_ERR_NO_AGENT', 'not connected to a controller');
    const md = new grpc.Metadata();
    md.set(METADATA_SESSION, session.id);
    md.set(METADATA_DIRECTION, 'reverse');
    const call = session.client.Stream(md);
    call.on('error', ignore);
    return new TunnelStream(call, REVERSE_OWNER);
  }

  /** SIGTERM: tell the controller, let in-flight requests finish (up to graceMs), then stop. */
  async drain(graceMs: number): Promise<void> {
    this.stopped = true;
    this.wake?.();
    const session = this.session;
    if (session) {
      session.draining = true;
      this.sendControl(session.control, { draining: { reason: 'agent shutting down' } });
      const busy = () => session.streams.size - session.idle;
      if (busy() > 0) {
        this.opts.log('info', 'draining: waiting for in-flight requests', { inFlight: busy(), graceMs });
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, graceMs);
          this.drainWaiters.push(() => {
            clearTimeout(t);
            resolve();
          });
        });
      }
      session.control.end();
      for (const s of session.streams) s.abort('agent shutting down');
      session.client.close();
    }
    await this.loop;
  }
}
