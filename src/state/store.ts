// The state store: the one place controller state (revocations, token keys, the agent book,
// spent bootstrap tokens) is kept, so several controller processes can share it. Keys are
// strings with `/`-separated prefixes; values are JSON. Implementations: a folder of files
// (file-store.ts); a database comes later and must fit this same interface and contract
// (store-contract.ts), so nothing here may assume files.

/** A JSON-serialisable value. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * An entry's version, compared for equality only (never ordered). 0 means "absent": a
 * compare-and-set expecting 0 creates the key only if nobody has.
 */
export type Version = number;

export const ABSENT: Version = 0;

export interface Entry<T extends JsonValue = JsonValue> {
  key: string;
  value: T;
  version: Version;
}

/** One key changed: `value` undefined and `version` 0 when it was deleted. */
export interface StoreChange {
  key: string;
  value: JsonValue | undefined;
  version: Version;
}

export type Unsubscribe = () => void;

export interface StateStore {
  /** The entry, or undefined when the key is absent. */
  get(key: string): Promise<Entry | undefined>;
  /** Write unconditionally; returns the new version. */
  put(key: string, value: JsonValue): Promise<Version>;
  /** Remove the key (absent is fine). */
  delete(key: string): Promise<void>;
  /**
   * Write only if the key's version is still `expected` (ABSENT: only if the key does not
   * exist). Atomic across every process sharing the store. Returns the new version, or
   * undefined when someone else got there first.
   */
  compareAndSet(key: string, expected: Version, value: JsonValue): Promise<Version | undefined>;
  /** Every entry whose key starts with `prefix`, sorted by key. */
  list(prefix: string): Promise<Entry[]>;
  /**
   * Call `onChange` for every later change to a key under `prefix`, whichever process made
   * it (this one included). Changes from other processes arrive within 2 s. Returns a
   * function that stops the calls.
   */
  watch(prefix: string, onChange: (change: StoreChange) => void): Unsubscribe;
  /** Where a key lives, for error messages (a file path, a table row…). */
  describe(key: string): string;
  /**
   * Until when (ms since the epoch) this instance has surely heard every change made by any
   * process sharing the store. Absent: always (one machine, nothing to lose touch with).
   * A shared database's replica that lost the database stops advancing it.
   */
  freshAt?(): number;
  /** Stop watching and release what the store holds; later calls fail. */
  close(): Promise<void>;
}
