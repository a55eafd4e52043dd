// How many tunnel requests one person has open at once, for a per-caller limit (the config
// webhook's streamLimits.maxConcurrentStreams). A request holds a lease from admission to
// its end; the count is per key, so a person's limit holds across their connections.
import { FerryError } from '../../errors.js';

export interface StreamLease {
  /** Gives the slot back; safe to call more than once. */
  release(): void;
}

/** A caller's concurrency limit: `key` names the person (before any impersonation mapping). */
export interface ConcurrencyLimit {
  key: string;
  max: number;
}

class Lease implements StreamLease {
  private held = true;

  constructor(
    private readonly leases: StreamLeases,
    private readonly key: string,
  ) {}

  release(): void {
    if (!this.held) return;
    this.held = false;
    this.leases.giveBack(this.key);
  }
}

export class StreamLeases {
  private readonly open = new Map<string, number>();

  /** A lease, or FERRY_ERR_RATE_LIMITED (429) when the caller already holds `max`. */
  take(limit: ConcurrencyLimit): StreamLease {
    const n = this.open.get(limit.key) ?? 0;
    if (n >= limit.max) {
      throw new FerryError('FERRY_ERR_RATE_LIMITED', `"${limit.key}" already has ${n} requests open (the limit is ${limit.max}); try again when one ends`);
    }
    this.open.set(limit.key, n + 1);
    return new Lease(this, limit.key);
  }

  /** Open requests of one key (for tests and metrics). */
  count(key: string): number {
    return this.open.get(key) ?? 0;
  }

  giveBack(key: string): void {
    const n = (this.open.get(key) ?? 1) - 1;
    if (n > 0) this.open.set(key, n);
    else this.open.delete(key);
  }
}
