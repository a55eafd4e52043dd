// The state store as a folder of files (the controller's dataDir), in the formats ferry has
// always written there (see tables/). Several processes may share the folder:
// - every write is a read-modify-write of one table's file under a lock file created with
//   O_EXCL (file-lock.ts), so compare-and-set is atomic across processes, and files are
//   replaced by temp+rename so readers never see half a file;
// - watchers learn of changes through fs.watch on the folders plus a re-read every
//   `pollMs` (fs.watch misses events on some network and container file systems).
import { watch as fsWatch, type FSWatcher } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { FerryError } from '../errors.js';
import type { FileTable } from './file-table.js';
import { withFileLock } from './file-lock.js';
import { ABSENT, type Entry, type JsonValue, type StateStore, type StoreChange, type Unsubscribe, type Version } from './store.js';
import { agentsTable } from './tables/agents-file.js';
import { genericTable } from './tables/generic-file.js';
import { revocationsTable } from './tables/revocations-file.js';
import { tokenKeysTable } from './tables/token-key-files.js';
import { versionOf } from './version.js';

export interface FileStoreOptions {
  /** The folder: the controller's dataDir. It holds the lock file. */
  dir: string;
  /** How keys map onto files; default controllerTables(dir). */
  tables?: FileTable[];
  /** Re-read interval for watchers, the safety net under fs.watch (default 1000 ms). */
  pollMs?: number;
  /** A watcher threw, or a re-read failed (e.g. a hand-edited file is malformed). */
  onError?: (err: unknown) => void;
}

/** Today's dataDir layout: revocations.json, agents.json, token-keys/, and state.json for the rest. */
export function controllerTables(dir: string): FileTable[] {
  return [
    revocationsTable(join(dir, 'revocations.json')),
    agentsTable(join(dir, 'agents.json')),
    tokenKeysTable(join(dir, 'token-keys')),
    genericTable(join(dir, 'state.json')),
  ];
}

interface Watcher {
  prefix: string;
  onChange: (change: StoreChange) => void;
}

export class FileStore implements StateStore {
  readonly dir: string;
  readonly #tables: readonly FileTable[];
  readonly #lockFile: string;
  readonly #pollMs: number;
  readonly #onError: (err: unknown) => void;
  /** What watchers were last told, per table: key → version. */
  readonly #seen = new Map<FileTable, { stamp: string; versions: Map<string, Version> }>();
  readonly #watchers = new Set<Watcher>();
  readonly #fsWatchers = new Map<string, FSWatcher>();
  #poll: NodeJS.Timeout | undefined;
  #debounce: NodeJS.Timeout | undefined;
  // One write and one re-read at a time within this process (the lock file orders processes).
  #writes: Promise<unknown> = Promise.resolve();
  #refreshing: Promise<unknown> = Promise.resolve();
  #closed = false;

  private constructor(options: FileStoreOptions) {
    this.dir = options.dir;
    this.#tables = options.tables ?? controllerTables(options.dir);
    this.#lockFile = join(options.dir, '.state.lock');
    this.#pollMs = options.pollMs ?? 1000;
    this.#onError = options.onError ?? (() => undefined);
  }

  /** A store of one table, kept in `dir` (the stand-alone form: one file, or one key folder, of its own). */
  static async forTable(dir: string, table: FileTable, options: { create?: boolean } = {}): Promise<FileStore> {
    if (options.create ?? true) await mkdir(dir, { recursive: true, mode: 0o700 });
    return FileStore.open({ dir, tables: [table] });
  }

  /** Opens the store and reads every table once (so a malformed file fails here, naming itself). */
  static async open(options: FileStoreOptions): Promise<FileStore> {
    const store = new FileStore(options);
    for (const table of store.#tables) {
      const stamp = await table.stamp();
      store.#seen.set(table, { stamp, versions: versionsOf(await table.load()) });
    }
    return store;
  }

  async get(key: string): Promise<Entry | undefined> {
    this.#check(key);
    const value = (await this.#tableFor(key).load()).get(key);
    return value === undefined ? undefined : { key, value, version: versionOf(value) };
  }

  async put(key: string, value: JsonValue): Promise<Version> {
    return (await this.#write(key, () => value)) as Version;
  }

  async delete(key: string): Promise<void> {
    await this.#write(key, () => undefined);
  }

  compareAndSet(key: string, expected: Version, value: JsonValue): Promise<Version | undefined> {
    return this.#write(key, (current) => {
      const version = current === undefined ? ABSENT : versionOf(current);
      return version === expected ? value : SKIP;
    });
  }

  async list(prefix: string): Promise<Entry[]> {
    this.#assertOpen();
    const entries: Entry[] = [];
    for (const table of this.#tables) {
      if (!table.prefixes.some((p) => p.startsWith(prefix) || prefix.startsWith(p))) continue;
      for (const [key, value] of await table.load()) {
        if (key.startsWith(prefix) && this.#tableFor(key) === table) entries.push({ key, value, version: versionOf(value) });
      }
    }
    return entries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  watch(prefix: string, onChange: (change: StoreChange) => void): Unsubscribe {
    this.#assertOpen();
    const watcher = { prefix, onChange };
    this.#watchers.add(watcher);
    this.#startWatching();
    return () => {
      this.#watchers.delete(watcher);
      if (this.#watchers.size === 0) this.#stopWatching();
    };
  }

  describe(key: string): string {
    return this.#tableFor(key).describe(key);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#watchers.clear();
    this.#stopWatching();
    await this.#writes.catch(() => undefined);
    await this.#refreshing.catch(() => undefined);
  }

  /** Re-read now and tell watchers (what the poller does; tests and SIGHUP may call it). */
  refresh(): Promise<void> {
    return this.#refresh(this.#tables);
  }

  /** Read-modify-write of `key`'s table under the lock; `decide` returns the new value, undefined to delete, SKIP to leave it. */
  async #write(key: string, decide: (current: JsonValue | undefined) => JsonValue | undefined | typeof SKIP): Promise<Version | undefined> {
    this.#check(key);
    const table = this.#tableFor(key);
    const run = this.#writes.then(async () => {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      return withFileLock(this.#lockFile, async () => {
        const previous = await table.load();
        const value = decide(previous.get(key));
        if (value === SKIP) return undefined;
        const next = new Map(previous);
        if (value === undefined) next.delete(key);
        else next.set(key, structuredClone(value));
        await table.save(next, previous);
        return value === undefined ? ABSENT : versionOf(value);
      });
    });
    this.#writes = run.catch(() => undefined);
    const version = await run;
    // Our own watchers hear of our own writes before the write resolves.
    if (version !== undefined) await this.#refresh([table]);
    return version;
  }

  #refresh(tables: readonly FileTable[]): Promise<void> {
    const run = this.#refreshing.then(async () => {
      for (const table of tables) await this.#refreshTable(table);
    });
    this.#refreshing = run.catch(() => undefined);
    return run;
  }

  async #refreshTable(table: FileTable): Promise<void> {
    if (this.#closed) return;
    const seen = this.#seen.get(table)!;
    try {
      const stamp = await table.stamp();
      if (stamp === seen.stamp) return;
      const values = await table.load();
      const changes: StoreChange[] = [];
      for (const [key, value] of values) {
        const version = versionOf(value);
        if (seen.versions.get(key) !== version) changes.push({ key, value, version });
      }
      for (const key of seen.versions.keys()) if (!values.has(key)) changes.push({ key, value: undefined, version: ABSENT });
      this.#seen.set(table, { stamp, versions: versionsOf(values) });
      for (const change of changes) this.#emit(change);
    } catch (err) {
      this.#onError(err);
    }
  }

  #emit(change: StoreChange): void {
    for (const watcher of [...this.#watchers]) {
      if (!change.key.startsWith(watcher.prefix)) continue;
      try {
        watcher.onChange(change);
      } catch (err) {
        this.#onError(err);
      }
    }
  }

  #startWatching(): void {
    this.#watchFolders();
    this.#poll ??= setInterval(() => {
      this.#watchFolders();
      void this.refresh();
    }, this.#pollMs).unref();
  }

  /** fs.watch every table folder that exists; folders made later are picked up on the next poll. */
  #watchFolders(): void {
    for (const dir of new Set(this.#tables.flatMap((t) => t.watchDirs))) {
      if (this.#fsWatchers.has(dir)) continue;
      try {
        const watcher = fsWatch(dir, { persistent: false }, () => this.#soon());
        watcher.on('error', () => {
          watcher.close();
          this.#fsWatchers.delete(dir);
        });
        this.#fsWatchers.set(dir, watcher);
      } catch {
        // Not there yet, or not watchable here: the poller covers it.
      }
    }
  }

  // A rename shows up as several events; one re-read covers them all.
  #soon(): void {
    this.#debounce ??= setTimeout(() => {
      this.#debounce = undefined;
      void this.refresh();
    }, 20).unref();
  }

  #stopWatching(): void {
    for (const watcher of this.#fsWatchers.values()) watcher.close();
    this.#fsWatchers.clear();
    clearInterval(this.#poll);
    clearTimeout(this.#debounce);
    this.#poll = undefined;
    this.#debounce = undefined;
  }

  #tableFor(key: string): FileTable {
    let best: FileTable | undefined;
    let bestLength = -1;
    for (const table of this.#tables) {
      for (const prefix of table.prefixes) {
        if (key.startsWith(prefix) && prefix.length > bestLength) {
          best = table;
          bestLength = prefix.length;
        }
      }
    }
    if (!best) throw new FerryError('FERRY_ERR_BAD_INPUT', `no state table holds ${key}`);
    return best;
  }

  #check(key: string): void {
    this.#assertOpen();
    if (typeof key !== 'string' || key.length === 0) throw new FerryError('FERRY_ERR_BAD_INPUT', 'a state key must be a non-empty string');
  }

  #assertOpen(): void {
    if (this.#closed) throw new FerryError('FERRY_ERR_INTERNAL', `state store ${this.dir} is closed`);
  }
}

const SKIP = Symbol('skip');

function versionsOf(values: ReadonlyMap<string, JsonValue>): Map<string, Version> {
  return new Map([...values].map(([key, value]) => [key, versionOf(value)]));
}
