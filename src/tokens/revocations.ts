// A deny list of token ids (jti) and certificate serials, kept in the state store so it
// survives restarts and, through `watch`, reaches every controller process sharing the store.
import { dirname } from 'node:path';
import { FerryError, messageOf } from '../errors.js';
import { FileStore, JTI_PREFIX, revocationsTable, SERIAL_PREFIX, type JsonValue, type StateStore, type Unsubscribe } from '../state/index.js';

export interface RevokedJti {
  jti: string;
  /** The token's own `exp` (epoch seconds): after it the entry is useless and gets pruned. */
  expiresAt?: number;
  revokedAt: number;
}

export interface RevokedSerial {
  /** Lowercase hex without separators or leading zeros. */
  serial: string;
  revokedAt: number;
}

export interface Revocations {
  jtis: RevokedJti[];
  serials: RevokedSerial[];
}

export interface RevocationListOptions {
  /** Follow the store's changes (another process's revocations apply at once). Default true on a shared store. */
  watch?: boolean;
  /** Clock in ms (default Date.now): revokedAt and pruning. */
  now?: () => number;
  /** A change from the store could not be applied (a malformed entry). */
  onError?: (err: unknown) => void;
  /**
   * Refuse closed: when the store has not been heard from for longer than `maxStalenessMs`
   * (a replica cut off from its database), every revocation check throws
   * FERRY_ERR_UNAVAILABLE (503) instead of answering from a list that may miss a revocation.
   */
  freshness?: { freshAt: () => number; maxStalenessMs: number };
}

// Keep an expired jti a little past its exp, longer than any verifier's clock tolerance.
const PRUNE_GRACE_SECONDS = 300;
const MAX_JTI_LENGTH = 256;

export class RevocationList {
  /** Where the list lives (a file path for the file store), for messages. */
  readonly file: string;
  readonly #store: StateStore;
  readonly #ownsStore: boolean;
  readonly #now: () => number;
  readonly #onError: (err: unknown) => void;
  readonly #freshness: RevocationListOptions['freshness'];
  #jtis = new Map<string, RevokedJti>();
  #serials = new Map<string, RevokedSerial>();
  // Entries past their exp: dropped from memory at once, from the store on the next write.
  #stale = new Set<string>();
  #unwatch: Unsubscribe | undefined;

  private constructor(store: StateStore, ownsStore: boolean, options: RevocationListOptions) {
    this.#store = store;
    this.#ownsStore = ownsStore;
    this.file = store.describe(JTI_PREFIX);
    this.#now = options.now ?? Date.now;
    this.#onError = options.onError ?? (() => undefined);
    this.#freshness = options.freshness;
  }

  /** A list of its own in one JSON file (the revocations.json format); reload() re-reads it. */
  static async open(file: string, options: RevocationListOptions = {}): Promise<RevocationList> {
    const store = await FileStore.forTable(dirname(file), revocationsTable(file));
    return RevocationList.#start(store, true, { watch: false, ...options });
  }

  /** The list kept in a shared state store (the controller's). */
  static onStore(store: StateStore, options: RevocationListOptions = {}): Promise<RevocationList> {
    return RevocationList.#start(store, false, options);
  }

  static async #start(store: StateStore, owns: boolean, options: RevocationListOptions): Promise<RevocationList> {
    const list = new RevocationList(store, owns, options);
    // Watch before the first read, so nothing written in between is missed.
    if (options.watch ?? true) list.#unwatch = store.watch('revocations/', (change) => list.#applyChange(change.key, change.value));
    try {
      await list.reload();
    } catch (err) {
      await list.close();
      throw err;
    }
    return list;
  }

  /** Re-read the whole list from the store (SIGHUP). */
  async reload(): Promise<void> {
    const jtis = new Map<string, RevokedJti>();
    const serials = new Map<string, RevokedSerial>();
    const stale = new Set<string>();
    const now = this.#nowSeconds();
    for (const { key, value } of await this.#store.list('revocations/')) {
      const jti = restOf(key, JTI_PREFIX);
      const serialKey = restOf(key, SERIAL_PREFIX);
      if (jti !== undefined) {
        const entry = jtiEntry(jti, value);
        if (isStale(entry, now)) stale.add(jti);
        else jtis.set(jti, entry);
      } else if (serialKey !== undefined) {
        const serial = tryNormalizeSerial(serialKey);
        if (serial === undefined) {
          throw new FerryError('FERRY_ERR_BAD_CONFIG', `revocation list ${this.#store.describe(key)} is malformed: ${serialKey} is not a hex serial`);
        }
        serials.set(serial, { serial, revokedAt: revokedAtOf(value) });
      }
    }
    this.#jtis = jtis;
    this.#serials = serials;
    this.#stale = stale;
  }

  /** Deny a token id; `expiresAt` (the token's exp, epoch seconds) lets the entry be pruned later. */
  async revokeJti(jti: string, expiresAt?: number): Promise<void> {
    if (jti.length === 0 || jti.length > MAX_JTI_LENGTH) {
      throw new FerryError('FERRY_ERR_BAD_INPUT', `a jti must be 1–${MAX_JTI_LENGTH} characters`);
    }
    if (expiresAt !== undefined && (!Number.isSafeInteger(expiresAt) || expiresAt < 0)) {
      throw new FerryError('FERRY_ERR_BAD_INPUT', 'jti expiry must be whole epoch seconds');
    }
    const entry: RevokedJti = { jti, revokedAt: this.#nowSeconds() };
    if (expiresAt !== undefined) entry.expiresAt = expiresAt;
    // In memory first: the entry denies even if the write fails (the caller learns it will not last).
    this.#jtis.set(jti, entry);
    const { jti: _, ...value } = entry;
    await this.#write(() => this.#store.put(JTI_PREFIX + jti, value));
    await this.#prune();
  }

  async revokeSerial(serialHex: string): Promise<void> {
    const serial = normalizeSerial(serialHex);
    const entry = { serial, revokedAt: this.#nowSeconds() };
    this.#serials.set(serial, entry);
    await this.#write(() => this.#store.put(SERIAL_PREFIX + serial, { revokedAt: entry.revokedAt }));
  }

  isJtiRevoked(jti: string): boolean {
    this.assertFresh();
    return this.#jtis.has(jti);
  }

  isSerialRevoked(serialHex: string): boolean {
    this.assertFresh();
    const serial = tryNormalizeSerial(serialHex);
    return serial !== undefined && this.#serials.has(serial);
  }

  /** Throws FERRY_ERR_UNAVAILABLE when the list may be missing another replica's revocations. */
  assertFresh(): void {
    if (!this.#freshness) return;
    const age = this.#now() - this.#freshness.freshAt();
    if (age <= this.#freshness.maxStalenessMs) return;
    throw new FerryError(
      'FERRY_ERR_UNAVAILABLE',
      `cannot check revocations: no word from the state store for ${Math.round(age / 1000)} s (store.maxStaleness ${Math.round(this.#freshness.maxStalenessMs / 1000)} s)`,
    );
  }

  list(): Revocations {
    return {
      jtis: [...this.#jtis.values()].map((entry) => ({ ...entry })),
      serials: [...this.#serials.values()].map((entry) => ({ ...entry })),
    };
  }

  /** Stop following the store (and close it if this list opened it). */
  async close(): Promise<void> {
    this.#unwatch?.();
    this.#unwatch = undefined;
    if (this.#ownsStore) await this.#store.close();
  }

  #applyChange(key: string, value: JsonValue | undefined): void {
    try {
      const jti = restOf(key, JTI_PREFIX);
      const serialKey = restOf(key, SERIAL_PREFIX);
      if (jti !== undefined) {
        const entry = value === undefined ? undefined : jtiEntry(jti, value);
        if (entry && !isStale(entry, this.#nowSeconds())) this.#jtis.set(jti, entry);
        else this.#jtis.delete(jti);
      } else if (serialKey !== undefined) {
        const serial = tryNormalizeSerial(serialKey);
        if (serial === undefined) return;
        if (value === undefined) this.#serials.delete(serial);
        else this.#serials.set(serial, { serial, revokedAt: revokedAtOf(value) });
      }
    } catch (err) {
      this.#onError(err);
    }
  }

  /** Drop entries past their exp from memory and the store. */
  async #prune(): Promise<void> {
    const now = this.#nowSeconds();
    for (const [jti, entry] of this.#jtis) {
      if (!isStale(entry, now)) continue;
      this.#jtis.delete(jti);
      this.#stale.add(jti);
    }
    const stale = [...this.#stale];
    this.#stale.clear();
    for (const jti of stale) await this.#write(() => this.#store.delete(JTI_PREFIX + jti));
  }

  async #write(job: () => Promise<unknown>): Promise<void> {
    try {
      await job();
    } catch (err) {
      if (err instanceof FerryError) throw err;
      throw new FerryError('FERRY_ERR_IO', `cannot write revocation list ${this.file}: ${messageOf(err)}`, { cause: err });
    }
  }

  #nowSeconds(): number {
    return Math.floor(this.#now() / 1000);
  }
}

/** Lowercase hex, no ':' or spaces, no leading zeros: openssl, Node and forge print serials differently. */
export function normalizeSerial(serialHex: string): string {
  const serial = tryNormalizeSerial(serialHex);
  if (serial === undefined) throw new FerryError('FERRY_ERR_BAD_INPUT', 'a certificate serial must be hex digits');
  return serial;
}

function tryNormalizeSerial(serialHex: string): string | undefined {
  const hex = serialHex.replace(/[:\s]/g, '').toLowerCase();
  if (!/^[0-9a-f]+$/.test(hex)) return undefined;
  return hex.replace(/^0+(?=.)/, '');
}

function restOf(key: string, prefix: string): string | undefined {
  return key.startsWith(prefix) && key.length > prefix.length ? key.slice(prefix.length) : undefined;
}

function jtiEntry(jti: string, value: JsonValue): RevokedJti {
  const record = value !== null && typeof value === 'object' && !Array.isArray(value) ? value : {};
  const entry: RevokedJti = { jti, revokedAt: revokedAtOf(value) };
  if (typeof record.expiresAt === 'number') entry.expiresAt = record.expiresAt;
  return entry;
}

function revokedAtOf(value: JsonValue): number {
  const record = value !== null && typeof value === 'object' && !Array.isArray(value) ? value : {};
  if (typeof record.revokedAt !== 'number') throw new FerryError('FERRY_ERR_BAD_CONFIG', 'a revocation entry has no revokedAt');
  return record.revokedAt;
}

function isStale(entry: RevokedJti, now: number): boolean {
  return entry.expiresAt !== undefined && entry.expiresAt + PRUNE_GRACE_SECONDS < now;
}
