// Probes a service on a timer. A service is healthy when it answers below 500 and,
// if the agent presents a credential, does not refuse it (401/403). A few failures in a
// row make it unhealthy (one bad answer is not an outage); one success makes it healthy.
import type { ServiceHealth } from './agent-service.js';

export interface HealthProbeOptions {
  path: string;
  intervalMs: number;
  timeoutMs: number;
  /** Consecutive failures before reporting unhealthy. */
  failures: number;
  /** A 401/403 means the agent's own credential was refused. */
  credentialed: boolean;
  /** One GET of `path`; resolves with the status. */
  run: (path: string, signal: AbortSignal) => Promise<number>;
  onChange: () => void;
}

export class HealthProbe {
  private state: ServiceHealth = { healthy: true, reason: '' };
  private failed = 0;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: AbortController | undefined;
  private stopped = false;

  constructor(private readonly opts: HealthProbeOptions) {}

  get health(): ServiceHealth {
    return this.state;
  }

  start(): void {
    void this.tick();
  }

  /** One probe now; also what the timer runs. */
  async tick(): Promise<void> {
    if (this.stopped || this.inFlight) return;
    clearTimeout(this.timer);
    const abort = new AbortController();
    this.inFlight = abort;
    const timeout = setTimeout(() => abort.abort(new Error(`no answer within ${this.opts.timeoutMs / 1000} s`)), this.opts.timeoutMs);
    let problem: string | undefined;
    try {
      const status = await this.opts.run(this.opts.path, abort.signal);
      if (status >= 500) problem = `health probe GET ${this.opts.path} answered ${status}`;
      else if (this.opts.credentialed && (status === 401 || status === 403)) {
        problem = `the upstream refused the agent's credential (health probe GET ${this.opts.path} answered ${status})`;
      }
    } catch (err) {
      const reason = abort.signal.aborted && abort.signal.reason instanceof Error ? abort.signal.reason.message : causeOf(err);
      problem = `health probe GET ${this.opts.path} failed: ${reason}`;
    } finally {
      clearTimeout(timeout);
      this.inFlight = undefined;
    }
    if (this.stopped) return;
    this.record(problem);
    this.timer = setTimeout(() => void this.tick(), this.opts.intervalMs);
    this.timer.unref();
  }

  private record(problem: string | undefined): void {
    const before = this.state;
    if (problem === undefined) {
      this.failed = 0;
      this.state = { healthy: true, reason: '' };
    } else {
      this.failed++;
      if (this.failed >= this.opts.failures || !before.healthy) this.state = { healthy: false, reason: problem };
    }
    if (before.healthy !== this.state.healthy || before.reason !== this.state.reason) this.opts.onChange();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.inFlight?.abort(new Error('stopped'));
  }
}

/** undici wraps network errors ("fetch failed"); the cause says what happened. */
function causeOf(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as Error & { cause?: unknown }).cause;
  if (cause instanceof Error && cause.message) return cause.message;
  const code = (err as NodeJS.ErrnoException).code;
  return err.message || code || 'error';
}
