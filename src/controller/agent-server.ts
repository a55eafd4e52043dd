// The gRPC endpoint agents dial. Control calls become sessions; Stream calls join the
// pool of the session named in their metadata, after the same certificate checks.
import * as grpc from '@grpc/grpc-js';
import type { TLSSocket } from 'node:tls';
import { FerryError, messageOf } from '../errors.js';
import type { Identity } from '../pki/identity.js';
import { http2ServersOf, onServerSession, widenServerSessionWindow, widenServerStreamWindow } from '../tunnel/grpc-window.js';
import { fitStreamWindowToRoundTrip } from '../tunnel/rtt-window.js';
import { HTTP2_SESSION_WINDOW_BYTES, HTTP2_WINDOW_BYTES, MAX_HEADER_BYTES, MAX_MESSAGE_BYTES, METADATA_DIRECTION, METADATA_SESSION } from '../tunnel/limits.js';
import { tunnelPackage } from '../tunnel/proto.js';
import { TunnelStream, type StreamOwner } from '../tunnel/tunnel-stream.js';
import type { AgentEventIn, ControllerEvent, Frame, FrameIn, RequestHeadIn } from '../tunnel/types.js';
import { AgentLimiter, type AgentLimits } from './agent-limits.js';
import { AgentSession, type SessionLimits } from './agent-session.js';
import type { SessionRegistry } from './session-registry.js';
import type { LogFn } from '../observability/log-fn.js';

export interface PeerCertificateInfo {
  raw: Buffer;
  serialNumber: string;
}

export interface AgentServerOptions {
  host: string;
  port: number;
  caPem: string;
  certPem: string;
  keyPem: string;
  registry: SessionRegistry;
  /** Checks an agent's client certificate (CA, validity, purpose, revocation). */
  verifyAgentCertificate: (peer: PeerCertificateInfo) => Identity;
  limits: SessionLimits;
  /** Sessions per agent and streams per session (agent-limits.ts); unset ones have their defaults. */
  agentLimits?: Partial<AgentLimits>;
  /** Requests the agent starts itself (the reverse direction). */
  serveReverse?: (agent: string, stream: TunnelStream, head: RequestHeadIn) => void;
  helloTimeoutMs?: number;
  /** Signs a renewal CSR from a connected agent (whose current certificate has `serial`); returns the new certificate PEM. */
  renewCertificate?: (agent: string, serial: string, csrPem: string) => Promise<string>;
  /** This replica and the live set, told to agents in Welcome and whenever it changes. */
  replicas?: { id: string; live: () => string[] };
  log: LogFn;
}

export interface AgentServer {
  port: number;
  /** Tell every agent we are going away (graceful shutdown). */
  drainAll(reason: string): void;
  /** Ends the live connections made with this certificate (it was revoked); returns how many. */
  dropCertificate(serial: string): number;
  /** The live replicas changed: tell every connected agent. */
  announceReplicas(replicas: string[]): void;
  close(): Promise<void>;
}

type ControlCall = grpc.ServerDuplexStream<AgentEventIn, ControllerEvent>;
type StreamCall = grpc.ServerDuplexStream<FrameIn, Frame>;

function peerOf(call: grpc.ServerDuplexStream<unknown, unknown>): PeerCertificateInfo | undefined {
  const cert = call.getAuthContext()?.sslPeerCertificate;
  if (!cert?.raw) return undefined;
  return { raw: cert.raw, serialNumber: cert.serialNumber };
}

export async function startAgentServer(opts: AgentServerOptions): Promise<AgentServer> {
  const sessions = new Map<string, AgentSession>();
  const controls = new Set<ControlCall>();
  // Which certificate each control call was made with, to cut them off on revocation.
  const serials = new Map<ControlCall, string>();
  const limiter = new AgentLimiter(opts.agentLimits);
  // Control calls past Welcome: the ones a replica-set change is told to.
  const welcomed = new Set<ControlCall>();

  const server = new grpc.Server({
    'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
    'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
    'grpc.keepalive_time_ms': 20_000,
    'grpc.keepalive_timeout_ms': 10_000,
    'grpc.http2.min_ping_interval_without_data_ms': 5_000,
    'grpc.max_concurrent_streams': limiter.http2MaxConcurrentStreams,
    'grpc-node.max_session_memory': Number.MAX_SAFE_INTEGER,
    // Channelz keeps per-call trackers (closures) for every Stream call; nothing reads them.
    'grpc.enable_channelz': 0,
  });
  widenServerStreamWindow(server, HTTP2_WINDOW_BYTES);

  const authenticate = (call: grpc.ServerDuplexStream<unknown, unknown>): string => {
    const peer = peerOf(call);
    if (!peer) throw new FerryError('FERRY_ERR_UNAUTHENTICATED', 'no client certificate');
    const id = opts.verifyAgentCertificate(peer);
    if (id.kind !== 'agent') throw new FerryError('FERRY_ERR_FORBIDDEN', `a ${id.kind} certificate may not connect as an agent`);
    return id.agent;
  };

  const refuse = (call: ControlCall, code: string, reason: string) => {
    opts.log('warn', 'agent refused', { code, reason, peer: call.getPeer() });
    call.write({ refused: { code, reason } });
    call.emit('error', { code: grpc.status.PERMISSION_DENIED, details: reason });
    call.end();
  };

  const handleControl = (call: ControlCall) => {
    let agent: string;
    try {
      agent = authenticate(call);
    } catch (err) {
      refuse(call, err instanceof FerryError ? err.code : 'FERRY_ERR_UNAUTHENTICATED', messageOf(err));
      return;
    }
    const overCap = limiter.takeSession(agent);
    if (overCap) {
      refuse(call, 'FERRY_ERR_RATE_LIMITED', overCap);
      return;
    }
    let released = false;
    const releaseSlot = () => {
      if (!released) limiter.releaseSession(agent);
      released = true;
    };
    controls.add(call);
    const serial = normalizeSerialText(peerOf(call)?.serialNumber ?? '');
    serials.set(call, serial);
    let session: AgentSession | undefined;
    const helloTimer = setTimeout(() => {
      if (!session) refuse(call, 'FERRY_ERR_BAD_INPUT', 'no Hello within the time limit');
    }, opts.helloTimeoutMs ?? 10_000);

    call.on('data', (ev: AgentEventIn) => {
      if (!session) {
        if (ev.event !== 'hello' || !ev.hello) {
          refuse(call, 'FERRY_ERR_BAD_INPUT', `expected Hello first, got ${ev.event ?? 'nothing'}`);
          return;
        }
        clearTimeout(helloTimer);
        if (ev.hello.name !== '' && ev.hello.name !== agent) {
          refuse(call, 'FERRY_ERR_FORBIDDEN', `Hello names agent "${ev.hello.name}" but the certificate is for "${agent}"`);
          return;
        }
        session = new AgentSession(agent, ev.hello, (out) => call.write(out), opts.limits);
        sessions.set(session.id, session);
        opts.registry.add(session);
        call.write({
          welcome: {
            sessionId: session.id,
            maxIdleStreams: opts.limits.maxIdleStreams,
            maxStreams: limiter.limits.maxStreamsPerSession,
            maxHeaderBytes: MAX_HEADER_BYTES,
            replicaId: opts.replicas?.id ?? '',
            replicas: opts.replicas?.live() ?? [],
          },
        });
        welcomed.add(call);
        opts.log('info', 'agent connected', {
          agent,
          session: session.id,
          hostname: ev.hello.hostname,
          version: ev.hello.version,
          services: ev.hello.services.map((s) => `${s.type}/${s.name}`),
        });
        return;
      }
      session.lastSeen = new Date();
      switch (ev.event) {
        case 'services':
          session.services = ev.services?.services ?? [];
          opts.registry.emit('change');
          break;
        case 'draining':
          session.markDraining();
          opts.log('info', 'agent draining', { agent, session: session.id });
          opts.registry.emit('change');
          break;
        case 'ping':
          call.write({ pong: { nonce: ev.ping?.nonce ?? '0' } });
          break;
        case 'pong':
          break;
        case 'hello':
          opts.log('warn', 'second Hello on a live session ignored', { agent, session: session.id });
          break;
        case 'renew': {
          const csrPem = ev.renew?.csrPem ?? '';
          const renew = opts.renewCertificate;
          if (!renew) {
            call.write({ renewed: { certificatePem: '', error: 'this controller does not renew certificates' } });
            break;
          }
          renew(agent, serial, csrPem).then(
            (certificatePem) => call.write({ renewed: { certificatePem, error: '' } }),
            (err: unknown) => {
              opts.log('warn', 'agent certificate renewal refused', { agent, reason: messageOf(err) });
              call.write({ renewed: { certificatePem: '', error: messageOf(err) } });
            },
          );
          break;
        }
        default:
          opts.log('debug', 'unhandled control event', { agent, event: ev.event });
      }
    });

    const finish = (why: string) => {
      releaseSlot();
      clearTimeout(helloTimer);
      controls.delete(call);
      serials.delete(call);
      welcomed.delete(call);
      if (!session) return;
      const s = session;
      session = undefined;
      sessions.delete(s.id);
      opts.registry.remove(s);
      s.close(`agent ${agent} disconnected`);
      opts.log('info', 'agent disconnected', { agent, session: s.id, reason: why });
    };
    call.on('end', () => {
      finish('control stream ended');
      call.end();
    });
    call.on('cancelled', () => finish('control stream cancelled'));
    call.on('error', (err) => finish(messageOf(err)));
    call.on('close', () => finish('control stream closed'));
  };

  /** Streams the agent opened for requests of its own: the first frame is the head. */
  const reverseOwner: StreamOwner<StreamCall> = {
    cancel: cancelStreamCall,
    onStray: (s, frame) => {
      if (!frame) return;
      const agent = reverseAgents.get(s);
      if (agent !== undefined && frame.kind === 'request' && frame.request && opts.serveReverse) {
        opts.serveReverse(agent, s, frame.request);
        return;
      }
      opts.log('warn', 'reverse stream refused', { agent, kind: frame.kind, reason: opts.serveReverse ? 'expected a request head' : 'no reverse services' });
      s.abort('protocol error');
    },
  };
  // Which agent opened each reverse stream.
  const reverseAgents = new WeakMap<TunnelStream, string>();

  /** Pooled streams of one session share one owner (no closures per stream). */
  const poolOwners = new WeakMap<AgentSession, StreamOwner<StreamCall>>();
  const poolOwnerOf = (session: AgentSession): StreamOwner<StreamCall> => {
    let owner = poolOwners.get(session);
    if (!owner) {
      owner = {
        cancel: cancelStreamCall,
        onStray: (s, frame, reason) => {
          if (frame) {
            // The agent spoke out of turn: that stream cannot be trusted any more.
            opts.log('warn', 'frame on an idle stream; closing it', { agent: session.agent, kind: frame.kind, reason });
            s.abort('protocol error');
          }
          session.forgetStream(s);
        },
      };
      poolOwners.set(session, owner);
    }
    return owner;
  };

  const handleStream = (call: StreamCall) => {
    const sessionId = call.metadata.get(METADATA_SESSION)[0];
    let agent: string;
    try {
      agent = authenticate(call);
    } catch (err) {
      opts.log('warn', 'stream refused', { reason: messageOf(err), peer: call.getPeer() });
      call.emit('error', { code: grpc.status.UNAUTHENTICATED, details: messageOf(err) });
      return;
    }
    const session = typeof sessionId === 'string' ? sessions.get(sessionId) : undefined;
    if (!session || session.agent !== agent) {
      opts.log('warn', 'stream for an unknown session refused', { agent });
      call.emit('error', { code: grpc.status.FAILED_PRECONDITION, details: 'unknown session' });
      return;
    }
    const overCap = limiter.streamRefusal(session.openStreams);
    if (overCap) {
      opts.log('warn', 'stream refused', { agent, session: session.id, reason: overCap });
      call.emit('error', { code: grpc.status.RESOURCE_EXHAUSTED, details: overCap });
      return;
    }
    call.on('end', endCall);
    if (call.metadata.get(METADATA_DIRECTION)[0] === 'reverse') {
      reverseAgents.set(new TunnelStream(call, reverseOwner), agent);
      return;
    }
    // A closed stream leaves the session through its owner (idle) or its request's discard (busy).
    session.addStream(new TunnelStream(call, poolOwnerOf(session)));
  };

  server.addService(tunnelPackage().ferry.tunnel.v1.Tunnel.service, {
    Control: handleControl,
    Stream: handleStream,
  });

  const creds = grpc.ServerCredentials.createSsl(
    Buffer.from(opts.caPem),
    [{ private_key: Buffer.from(opts.keyPem), cert_chain: Buffer.from(opts.certPem) }],
    true,
  );
  const port = await new Promise<number>((resolve, reject) => {
    const addr = opts.host.includes(':') ? `[${opts.host}]:${opts.port}` : `${opts.host}:${opts.port}`;
    server.bindAsync(addr, creds, (err, p) => (err ? reject(err) : resolve(p)));
  });
  widenServerSessionWindow(server, HTTP2_SESSION_WINDOW_BYTES);
  onServerSession(server, (session) =>
    fitStreamWindowToRoundTrip(session, (fit) =>
      opts.log('info', 'agent connection window fitted to its round trip', { rttMs: Math.round(fit.rttMs * 10) / 10, windowMiB: fit.windowBytes / 2 ** 20 }),
    ),
  );
  logRefusedHandshakes(server, opts.log);

  return {
    port,
    dropCertificate(serial) {
      const wanted = normalizeSerialText(serial);
      let n = 0;
      for (const [call, s] of serials) {
        if (s !== wanted) continue;
        n++;
        refuse(call, 'FERRY_ERR_CERT', 'certificate revoked');
      }
      return n;
    },
    drainAll(reason) {
      for (const c of controls) c.write({ draining: { reason } });
    },
    announceReplicas(replicas) {
      for (const c of welcomed) c.write({ replicas: { replicas } });
    },
    close() {
      for (const s of sessions.values()) s.close('controller shutting down');
      return new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 2_000);
        server.tryShutdown(() => {
          clearTimeout(t);
          resolve();
        });
      });
    },
  };
}

/** Aborts a Stream call: the agent sees it cancelled. */
function cancelStreamCall(call: StreamCall): void {
  call.emit('error', { code: grpc.status.CANCELLED, details: 'request aborted' });
}

/** The agent half-closed: close our side too. (Shared by all calls: no closure per stream.) */
function endCall(this: StreamCall): void {
  this.end();
}

/** Serials as hex without separators or leading zeros, however the TLS layer printed them. */
function normalizeSerialText(serial: string): string {
  return serial.replace(/[:\s]/g, '').toLowerCase().replace(/^0+(?=.)/, '');
}

/**
 * grpc-js says nothing when TLS refuses a client certificate (another CA, expired), and
 * Node reports it only as a hang-up; the socket still knows OpenSSL's verdict.
 */
function logRefusedHandshakes(server: grpc.Server, log: AgentServerOptions['log']): void {
  for (const h2 of http2ServersOf(server)) {
    h2.on('tlsClientError', (err: Error, socket: TLSSocket) => {
      const verdict = socket.authorizationError;
      if (verdict) log('warn', 'agent TLS handshake refused', { reason: `client certificate refused: ${String(verdict)}` });
      else log('debug', 'agent TLS handshake failed', { reason: err.message });
    });
  }
}
