// The state store in PostgreSQL, for several controller replicas: one row per key in
// <schema>.ferry_state (migrations/ made by node-pg-migrate, run at open under its advisory
// lock, so two replicas starting at once migrate once). Versions come from one sequence.
// Changes reach every replica through LISTEN/NOTIFY (pg-listener.ts), with a re-read of
// every key's version each `pollMs` as the safety net. Values under sealed prefixes (token
// keys: private keys) are encrypted by a ValueCipher before they are sent.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';
import pg from 'pg';
import { FerryError, messageOf } from '../errors.js';
import { PgListener } from './pg-listener.js';
import { ABSENT, type Entry, type JsonValue, type StateStore, type StoreChange, type Unsubscribe, type Version } from './store.js';
import type { ValueCipher } from './value-cipher.js';

export interface PgStoreOptions {
  /** postgres://user:password@host:port/database (the password never reaches a message). */
  url: string;
  /** The schema holding ferry's tables (default public); created when missing. */
  schema?: string;
  /** Seals values under `sealedPrefixes`; without one, writing them is refused. */
  cipher?: ValueCipher;
  /** Keys whose values hold secrets (default: token-keys/). */
  sealedPrefixes?: string[];
  /** The safety-net re-read and the change feed's ping interval (default 2000 ms). */
  pollMs?: number;
  /** Connecting gives up after this long (default 5000 ms). */
  connectTimeoutMs?: number;
  /** Pooled connections for reads and writes (default 4). */
  poolSize?: number;
  /** Shown in pg_stat_activity. */
  applicationName?: string;
  /** A re-read failed, a watcher threw, the change feed went away or came back. */
  onEvent?: (level: 'warn' | 'info', message: string) => void;
}

interface Watcher {
  prefix: string;
  onChange: (change: StoreChange) => void;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,40}$/;

export class PgStore implements StateStore {
  readonly #options: PgStoreOptions;
  readonly #where: string;
  readonly #table: string;
  readonly #sequence: string;
  readonly #pool: pg.Pool;
  readonly #sealed: readonly string[];
  readonly #watchers = new Set<Watcher>();
  /** What watchers were last told: key → version, for every key in the store. */
  readonly #seen = new Map<string, Version>();
  readonly #pending = new Set<string>();
  #listener: PgListener | undefined;
  #poll: NodeJS.Timeout | undefined;
  #polledAt = 0;
  // One re-read at a time, in order, so watchers hear changes in the order they were read.
  #reading: Promise<unknown> = Promise.resolve();
  #closed = false;

  private constructor(options: PgStoreOptions) {
    const schema = options.schema ?? 'public';
    if (!SCHEMA_NAME.test(schema)) throw new FerryError('FERRY_ERR_BAD_CONFIG', `store schema ${schema} must be a lowercase SQL name`);
    this.#options = options;
    this.#where = describeUrl(options.url);
    this.#table = `${schema}.ferry_state`;
    this.#sequence = `${schema}.ferry_state_version`;
    this.#sealed = options.sealedPrefixes ?? ['token-keys/'];
    this.#pool = new pg.Pool({ ...this.#clientConfig(), max: options.poolSize ?? 4, idleTimeoutMillis: 30_000 });
    // An idle pooled connection that dies must not take the process with it.
    this.#pool.on('error', (err) => this.#event('warn', `a pooled connection failed: ${messageOf(err)}`));
  }

  /** Connects, migrates the schema, starts following changes. The database down → FERRY_ERR_UNAVAILABLE naming it. */
  static async open(options: PgStoreOptions): Promise<PgStore> {
    const store = new PgStore(options);
    try {
      await store.#migrate();
      const schema = options.schema ?? 'public';
      store.#listener = new PgListener({
        client: () => store.#clientConfig(),
        channel: `ferry_state_${schema}`,
        pingMs: options.pollMs ?? 2000,
        onNotify: (payload) => store.#notified(payload),
        onReconnect: () => store.#resync(),
        onEvent: (level, message) => store.#event(level, message),
      });
      // Listen first, then read: a change in between is heard, not missed.
      await store.#listener.start();
      await store.#resync();
      store.#poll = setInterval(() => void store.#resync().catch((err: unknown) => store.#event('warn', `re-read failed: ${messageOf(err)}`)), options.pollMs ?? 2000).unref();
      return store;
    } catch (err) {
      await store.close();
      if (err instanceof FerryError) throw err;
      throw new FerryError('FERRY_ERR_UNAVAILABLE', `cannot open the state store at ${store.#where}: ${messageOf(err)}`, { cause: err });
    }
  }

  async get(key: string): Promise<Entry | undefined> {
    this.#check(key);
    const rows = await this.#query<{ value: JsonValue; version: string }>(`SELECT value, version FROM ${this.#table} WHERE key = $1`, [key]);
    const row = rows[0];
    return row ? { key, value: this.#open(key, row.value), version: Number(row.version) } : undefined;
  }

  async put(key: string, value: JsonValue): Promise<Version> {
    this.#check(key);
    const rows = await this.#query<{ version: string }>(
      `INSERT INTO ${this.#table} (key, value, version) VALUES ($1, $2, nextval('${this.#sequence}'))
       ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, version = EXCLUDED.version, updated_at = now()
       RETURNING version`,
      [key, this.#seal(key, value)],
    );
    const version = Number(rows[0]!.version);
    this.#applied(key, value, version);
    return version;
  }

  async delete(key: string): Promise<void> {
    this.#check(key);
    const rows = await this.#query(`DELETE FROM ${this.#table} WHERE key = $1 RETURNING key`, [key]);
    if (rows.length > 0) this.#applied(key, undefined, ABSENT);
  }

  async compareAndSet(key: string, expected: Version, value: JsonValue): Promise<Version | undefined> {
    this.#check(key);
    const sealed = this.#seal(key, value);
    const rows =
      expected === ABSENT
        ? await this.#query<{ version: string }>(
            `INSERT INTO ${this.#table} (key, value, version) VALUES ($1, $2, nextval('${this.#sequence}')) ON CONFLICT (key) DO NOTHING RETURNING version`,
            [key, sealed],
          )
        : await this.#query<{ version: string }>(
            `UPDATE ${this.#table} SET value = $2, version = nextval('${this.#sequence}'), updated_at = now() WHERE key = $1 AND version = $3 RETURNING version`,
            [key, sealed, expected],
          );
    const row = rows[0];
    if (!row) return undefined;
    const version = Number(row.version);
    this.#applied(key, value, version);
    return version;
  }

  async list(prefix: string): Promise<Entry[]> {
    this.#assertOpen();
    const rows = await this.#query<{ key: string; value: JsonValue; version: string }>(
      `SELECT key, value, version FROM ${this.#table} WHERE starts_with(key, $1) ORDER BY key`,
      [prefix],
    );
    return rows.map((row) => ({ key: row.key, value: this.#open(row.key, row.value), version: Number(row.version) }));
  }

  watch(prefix: string, onChange: (change: StoreChange) => void): Unsubscribe {
    this.#assertOpen();
    const watcher = { prefix, onChange };
    this.#watchers.add(watcher);
    return () => {
      this.#watchers.delete(watcher);
    };
  }

  describe(key: string): string {
    return `${this.#table} key ${key} at ${this.#where}`;
  }

  /**
   * Until when (ms) this replica has surely heard every change made by any replica: the last
   * answered ping of the change feed, or the last complete re-read, whichever is later.
   */
  freshAt(): number {
    return Math.max(this.#listener?.confirmedAt ?? 0, this.#polledAt);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#watchers.clear();
    clearInterval(this.#poll);
    await this.#listener?.close();
    await this.#reading.catch(() => undefined);
    await this.#pool.end().catch(() => undefined);
  }

  #clientConfig(): pg.ClientConfig {
    return {
      connectionString: this.#options.url,
      connectionTimeoutMillis: this.#options.connectTimeoutMs ?? 5000,
      keepAlive: true,
      application_name: this.#options.applicationName ?? 'ferry',
      // A partitioned database leaves queries unanswered; give up on them.
      query_timeout: Math.max(5000, (this.#options.pollMs ?? 2000) * 2),
    };
  }

  async #migrate(): Promise<void> {
    const client = new pg.Client(this.#clientConfig());
    client.on('error', () => undefined);
    await client.connect();
    try {
      await runner({
        dbClient: client,
        dir: migrationsDir(),
        direction: 'up',
        migrationsTable: 'ferry_migrations',
        schema: this.#options.schema ?? 'public',
        createSchema: true,
        checkOrder: true,
        // Two replicas starting together: the second waits for the first, then finds nothing to do.
        advisoryLockMode: 'wait',
        log: () => undefined,
        logger: { debug: () => undefined, info: () => undefined, warn: (m: string) => this.#event('warn', `migration: ${m}`), error: (m: string) => this.#event('warn', `migration: ${m}`) },
      });
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  async #query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params: unknown[]): Promise<R[]> {
    this.#assertOpen();
    try {
      return (await this.#pool.query<R>(sql, params)).rows;
    } catch (err) {
      if (err instanceof FerryError) throw err;
      throw new FerryError('FERRY_ERR_UNAVAILABLE', `state store at ${this.#where}: ${messageOf(err)}`, { cause: err });
    }
  }

  #notified(payload: string): void {
    try {
      const { k } = JSON.parse(payload) as { k?: unknown };
      if (typeof k !== 'string') return;
      this.#pending.add(k);
      // Changes arriving together are read together.
      if (this.#pending.size === 1) queueMicrotask(() => void this.#readPending());
    } catch {
      // Not ours.
    }
  }

  #readPending(): Promise<void> {
    return this.#serially(async () => {
      const keys = [...this.#pending];
      this.#pending.clear();
      if (keys.length === 0 || this.#closed) return;
      const rows = await this.#query<{ key: string; value: JsonValue; version: string }>(
        `SELECT key, value, version FROM ${this.#table} WHERE key = ANY($1)`,
        [keys],
      );
      const found = new Map(rows.map((row) => [row.key, row]));
      for (const key of keys) {
        const row = found.get(key);
        this.#observe(key, row ? this.#openQuietly(key, row.value) : undefined, row ? Number(row.version) : ABSENT);
      }
    }).catch((err: unknown) => this.#event('warn', `cannot read a change: ${messageOf(err)}`));
  }

  /** Re-read every key's version; read and announce what changed since watchers were last told. */
  #resync(): Promise<void> {
    return this.#serially(async () => {
      if (this.#closed) return;
      const started = Date.now();
      const rows = await this.#query<{ key: string; version: string }>(`SELECT key, version FROM ${this.#table}`, []);
      const now = new Map(rows.map((row) => [row.key, Number(row.version)]));
      const changed = [...now].filter(([key, version]) => this.#seen.get(key) !== version).map(([key]) => key);
      const gone = [...this.#seen.keys()].filter((key) => !now.has(key));
      if (changed.length > 0) {
        const full = await this.#query<{ key: string; value: JsonValue; version: string }>(
          `SELECT key, value, version FROM ${this.#table} WHERE key = ANY($1)`,
          [changed],
        );
        for (const row of full) this.#observe(row.key, this.#openQuietly(row.key, row.value), Number(row.version));
      }
      for (const key of gone) this.#observe(key, undefined, ABSENT);
      this.#polledAt = started;
    });
  }

  #serially<T>(job: () => Promise<T>): Promise<T> {
    const run = this.#reading.then(job);
    this.#reading = run.catch(() => undefined);
    return run;
  }

  /** Our own write: watchers hear it before the write resolves. */
  #applied(key: string, value: JsonValue | undefined, version: Version): void {
    this.#observe(key, value === undefined ? undefined : structuredClone(value), version);
  }

  #observe(key: string, value: JsonValue | undefined, version: Version): void {
    if ((this.#seen.get(key) ?? ABSENT) === version) return;
    if (version === ABSENT) this.#seen.delete(key);
    else this.#seen.set(key, version);
    for (const watcher of [...this.#watchers]) {
      if (!key.startsWith(watcher.prefix)) continue;
      try {
        watcher.onChange({ key, value, version });
      } catch (err) {
        this.#event('warn', `a state watcher failed: ${messageOf(err)}`);
      }
    }
  }

  #seal(key: string, value: JsonValue): string {
    if (!this.#sealed.some((prefix) => key.startsWith(prefix))) return JSON.stringify(value);
    const cipher = this.#options.cipher;
    if (!cipher) throw new FerryError('FERRY_ERR_BAD_CONFIG', `${key} holds a secret and the PostgreSQL store has no key to seal it (store.keyFile)`);
    return JSON.stringify(cipher.seal(key, value));
  }

  #open(key: string, stored: JsonValue): JsonValue {
    if (!this.#options.cipher) {
      if (this.#sealed.some((prefix) => key.startsWith(prefix))) throw new FerryError('FERRY_ERR_BAD_CONFIG', `${key} is sealed and the PostgreSQL store has no key to open it (store.keyFile)`);
      return stored;
    }
    return this.#options.cipher.open(key, stored);
  }

  #openQuietly(key: string, stored: JsonValue): JsonValue | undefined {
    try {
      return this.#open(key, stored);
    } catch (err) {
      this.#event('warn', messageOf(err));
      return undefined;
    }
  }

  #event(level: 'warn' | 'info', message: string): void {
    this.#options.onEvent?.(level, message);
  }

  #check(key: string): void {
    this.#assertOpen();
    if (typeof key !== 'string' || key.length === 0) throw new FerryError('FERRY_ERR_BAD_INPUT', 'a state key must be a non-empty string');
  }

  #assertOpen(): void {
    if (this.#closed) throw new FerryError('FERRY_ERR_INTERNAL', `state store ${this.#where} is closed`);
  }
}

/** host:port/database of a connection URL: what messages may show (never the password). */
export function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `postgresql://${parsed.host}${parsed.pathname}`;
  } catch {
    return 'postgresql (unparsable URL)';
  }
}

/** migrations/ at the package root: beside src/ when run from source, beside dist/ when built. */
function migrationsDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, 'migrations');
    if (existsSync(join(candidate))) return candidate;
    dir = dirname(dir);
  }
  throw new FerryError('FERRY_ERR_INTERNAL', 'cannot find the migrations folder of the ferry package');
}
