// A tunnelled request's hooks into its agent session and the metrics.
import type { TunnelStream } from '../../tunnel/tunnel-stream.js';
import type { SendHooks } from '../../relay/send-request.js';
import type { ErrorShape } from '../../errors.js';
import { errorShapeForType } from '../../relay/error-shapes.js';
import type { AgentSession } from '../agent-session.js';
import type { LogFn } from '../../observability/log-fn.js';
import type { StreamLease } from './stream-leases.js';

/** What a tunnelled request reports to: the log and the metrics. */
export interface TunnelRequestEvents {
  log: LogFn;
  onRequestStart?: () => void;
  onRequestDone?: (type: string, status: number | 'error', seconds: number) => void;
  onBytes?: (direction: 'in' | 'out', n: number) => void;
}

/**
 * One request's link to its agent session and the metrics. An object rather than a set of
 * closures: a watch keeps it for hours, and ten thousand idle watches are a normal load.
 */
export class SessionHooks implements SendHooks {
  private readonly started = process.hrtime.bigint();
  readonly onBytes: TunnelRequestEvents['onBytes'];
  readonly errorShape: ErrorShape;

  constructor(
    private readonly session: AgentSession,
    private readonly type: string,
    private readonly opts: TunnelRequestEvents,
    private readonly lease?: StreamLease,
  ) {
    this.onBytes = opts.onBytes;
    this.errorShape = errorShapeForType(type);
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
    this.lease?.release();
    this.opts.onRequestDone?.(this.type, status, Number(process.hrtime.bigint() - this.started) / 1e9);
  }
}
