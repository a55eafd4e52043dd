// The live controller replicas, kept in the shared state store: each replica writes
// `replicas/<id>` ({heartbeatAt, startedAt, instance, hostname, pid}) every heartbeat and
// deletes it when it stops; a replica not heard from for `timeoutMs` is gone. Every replica
// follows the others through the store's watch (LISTEN/NOTIFY on PostgreSQL, files for
// workers), and a clock tick expires the silent ones. 'change' is emitted with the new set.
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import { FerryError, messageOf } from '../../errors.js';
import type { LogFn } from '../../observability/log-fn.js';
import type { JsonValue, StateStore, Unsubscribe } from '../../state/index.js';

export const REPLICA_PREFIX = 'replicas/';
const STOP_TIMEOUT_MS = 2_000;

export interface ReplicaRegistryOptions {
  store: StateStore;
  id: string;
  heartbeatMs: number;
  timeoutMs: number;
  log: LogFn;
  now?: () => number;
}

interface ReplicaRecord {
  heartbeatAt: number;
  startedAt: number;
  instance: string;
  hostname: string;
  pid: number;
}

/** hostname-<6 hex>: unique per process without configuration, readable in logs. */
export function defaultReplicaId(): string {
  const host = hostname().toLowerCase().replace(/[^a-z0-9.-]/g, '-').slice(0, 48) || 'replica';
  return `${host}-${randomUUID().slice(0, 6)}`;
}

export class ReplicaRegistry extends EventEmitter<{ change: [replicas: string[]] }> {
  readonly id: string;
  readonly #options: ReplicaRegistryOptions;
  readonly #instance = randomUUID();
  readonly #startedAt: number;
  readonly #now: () => number;
  readonly #records = new Map<string, ReplicaRecord>();
  #live: string[] = [];
  #timer: NodeJS.Timeout | undefined;
  #unwatch: Unsubscribe | undefined;
  #failing = false;
  #stopped = false;

  private constructor(options: ReplicaRegistryOptions) {
    super();
    this.id = options.id;
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#startedAt = this.#now();
  }

  /** Registers this replica; refuses when a live replica already holds the id. */
  static async start(options: ReplicaRegistryOptions): Promise<ReplicaRegistry> {
    const registry = new ReplicaRegistry(options);
    const { store } = options;
    registry.#unwatch = store.watch(REPLICA_PREFIX, (change) => registry.#apply(change.key, change.value));
    try {
      const existing = recordOf((await store.get(REPLICA_PREFIX + options.id))?.value);
      if (existing && existing.instance !== registry.#instance && registry.#now() - existing.heartbeatAt < options.timeoutMs) {
        const ago = Math.round((registry.#now() - existing.heartbeatAt) / 1000);
        throw new FerryError(
          'FERRY_ERR_EXISTS',
          `replica id "${options.id}" is already in use by a live replica (${existing.hostname} pid ${existing.pid}, heartbeat ${ago} s ago): give each replica its own replica.id`,
        );
      }
      for (const entry of await store.list(REPLICA_PREFIX)) registry.#apply(entry.key, entry.value);
      await registry.#beat();
    } catch (err) {
      registry.#unwatch?.();
      throw err;
    }
    registry.#timer = setInterval(() => void registry.#tick(), options.heartbeatMs).unref();
    registry.#recompute();
    return registry;
  }

  /** Live replica ids, sorted (this one included). */
  live(): string[] {
    return this.#live;
  }

  /** Leave the set at once (a drain): the others and the agents hear of it now, not after the timeout. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    clearInterval(this.#timer);
    this.#unwatch?.();
    try {
      // A store that does not answer (the database is away) must not hold the drain up.
      await withTimeout(STOP_TIMEOUT_MS, async () => {
        const mine = await this.#options.store.get(REPLICA_PREFIX + this.id);
        if (recordOf(mine?.value)?.instance === this.#instance) await this.#options.store.delete(REPLICA_PREFIX + this.id);
      });
    } catch (err) {
      this.#options.log('warn', 'replicas: could not remove this replica from the store; the others drop it after the timeout', { error: messageOf(err) });
    }
  }

  async #tick(): Promise<void> {
    if (this.#stopped) return;
    try {
      await this.#beat();
      if (this.#failing) this.#options.log('info', 'replicas: heartbeats reach the store again', { replica: this.id });
      this.#failing = false;
    } catch (err) {
      if (!this.#failing) this.#options.log('warn', 'replicas: heartbeat failed; serving goes on', { replica: this.id, error: messageOf(err) });
      this.#failing = true;
    }
    this.#recompute();
    await this.#forgetLongGone();
  }

  async #beat(): Promise<void> {
    const record: ReplicaRecord = { heartbeatAt: this.#now(), startedAt: this.#startedAt, instance: this.#instance, hostname: hostname(), pid: process.pid };
    this.#records.set(this.id, record);
    await this.#options.store.put(REPLICA_PREFIX + this.id, { ...record });
  }

  /** Records silent for ten timeouts are removed by whichever replica sees them first. */
  async #forgetLongGone(): Promise<void> {
    const limit = this.#now() - this.#options.timeoutMs * 10;
    for (const [id, record] of this.#records) {
      if (record.heartbeatAt >= limit || id === this.id) continue;
      this.#records.delete(id);
      await this.#options.store.delete(REPLICA_PREFIX + id).catch(() => undefined);
    }
  }

  #apply(key: string, value: JsonValue | undefined): void {
    const id = key.slice(REPLICA_PREFIX.length);
    if (id === '' || (id === this.id && !this.#stopped && value === undefined)) return;
    const record = recordOf(value);
    if (id === this.id && record && record.instance !== this.#instance) {
      this.#options.log('warn', 'replicas: another process wrote this replica id; two replicas share one id', { replica: this.id, other: `${record.hostname} pid ${record.pid}` });
      return;
    }
    if (record) this.#records.set(id, record);
    else this.#records.delete(id);
    this.#recompute();
  }

  #recompute(): void {
    const cutoff = this.#now() - this.#options.timeoutMs;
    const live = [...this.#records].filter(([id, r]) => id === this.id || r.heartbeatAt >= cutoff).map(([id]) => id).sort();
    if (this.#stopped) return;
    if (live.length === this.#live.length && live.every((id, i) => id === this.#live[i])) return;
    const before = this.#live;
    this.#live = live;
    if (before.length > 0) this.#options.log('info', 'replicas changed', { replicas: live });
    this.emit('change', live);
  }
}

function recordOf(value: JsonValue | undefined): ReplicaRecord | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const { heartbeatAt, startedAt, instance, hostname: host, pid } = value;
  if (typeof heartbeatAt !== 'number' || typeof instance !== 'string') return undefined;
  return { heartbeatAt, startedAt: typeof startedAt === 'number' ? startedAt : heartbeatAt, instance, hostname: typeof host === 'string' ? host : '?', pid: typeof pid === 'number' ? pid : 0 };
}

function withTimeout(ms: number, job: () => Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from the store within ${ms} ms`)), ms);
  });
  return Promise.race([job(), timeout]).finally(() => clearTimeout(timer));
}
