// A hand-driven agent for protocol tests: the real gRPC client and messages, but every
// event and frame is the test's choice, so it can send what a real agent never would.
import * as grpc from '@grpc/grpc-js';
import { createSecureContext } from 'node:tls';
import type { TunnelClient } from '../src/gen/ferry/tunnel/v1/Tunnel.js';
import { METADATA_SESSION } from '../src/tunnel/limits.js';
import { tunnelPackage } from '../src/tunnel/proto.js';
import type { AgentEvent, ControllerEventIn, Frame, FrameIn } from '../src/tunnel/types.js';

export interface CallOutcome {
  /** grpc status code, or -1 when the call ended cleanly with no status error. */
  code: number;
  details: string;
}

/** Records what arrives on a call and how it ended. */
class Recorder<T> {
  readonly received: T[] = [];
  private waiters: { match: (m: T) => boolean; resolve: (m: T) => void; reject: (e: Error) => void }[] = [];
  readonly ended: Promise<CallOutcome>;

  constructor(call: grpc.ClientDuplexStream<never, T>) {
    call.on('data', (m: T) => {
      this.received.push(m);
      for (const w of [...this.waiters]) {
        if (w.match(m)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(m);
        }
      }
    });
    this.ended = new Promise((resolve) => {
      let done = false;
      const finish = (o: CallOutcome) => {
        if (done) return;
        done = true;
        for (const w of this.waiters.splice(0)) w.reject(new Error(`call ended (${o.code}: ${o.details}) before the awaited message`));
        resolve(o);
      };
      call.on('error', (err: grpc.ServiceError) => finish({ code: err.code, details: err.details }));
      call.on('status', (s: grpc.StatusObject) => finish({ code: s.code === grpc.status.OK ? -1 : s.code, details: s.details }));
    });
  }

  next(match: (m: T) => boolean, timeoutMs = 5_000): Promise<T> {
    const seen = this.received.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out waiting for a message')), timeoutMs);
      this.waiters.push({
        match,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
    });
  }
}

export class RawControl extends Recorder<ControllerEventIn> {
  constructor(readonly call: grpc.ClientDuplexStream<AgentEvent, ControllerEventIn>) {
    super(call);
  }

  send(ev: AgentEvent): void {
    this.call.write(ev);
  }
}

export class RawStream extends Recorder<FrameIn> {
  constructor(readonly call: grpc.ClientDuplexStream<Frame, FrameIn>) {
    super(call);
  }

  send(frame: Frame): void {
    this.call.write(frame);
  }
}

export interface RawAgentOptions {
  address: string;
  caPem: string;
  certPem: string;
  keyPem: string;
}

export class RawAgent {
  readonly client: TunnelClient;

  constructor(opts: RawAgentOptions) {
    const creds = grpc.credentials.createFromSecureContext(
      createSecureContext({ ca: opts.caPem, cert: opts.certPem, key: opts.keyPem, minVersion: 'TLSv1.3' }),
    );
    const Client = tunnelPackage().ferry.tunnel.v1.Tunnel;
    this.client = new Client(opts.address, creds, {
      'grpc.ssl_target_name_override': 'localhost',
      'grpc.default_authority': 'localhost',
    });
  }

  control(): RawControl {
    const c = new RawControl(this.client.Control());
    c.call.on('error', () => undefined);
    return c;
  }

  /** Control + Hello, resolving with the session id of the Welcome. */
  async connect(name: string, services: { type: string; name: string }[]): Promise<{ control: RawControl; sessionId: string }> {
    const control = this.control();
    control.send({ hello: { version: 'raw-test', hostname: 'raw', name, services, instanceId: `raw-${name}` } });
    const first = await control.next(() => true);
    if (first.event !== 'welcome' || !first.welcome) throw new Error(`expected Welcome, got ${first.event ?? 'nothing'}`);
    return { control, sessionId: first.welcome.sessionId };
  }

  stream(sessionId: string | undefined): RawStream {
    const md = new grpc.Metadata();
    if (sessionId !== undefined) md.set(METADATA_SESSION, sessionId);
    const s = new RawStream(this.client.Stream(md));
    s.call.on('error', () => undefined);
    return s;
  }

  close(): void {
    this.client.close();
  }
}
