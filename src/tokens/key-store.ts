// ES256 token keys kept in the state store (`token-keys/<createdAtMs>`; in the file store
// token-keys/token-key-<ms>.pem with an optional .crt chain beside it): the newest signs,
// all verify; rotate adds a key, reload re-reads them, and a shared store's changes (a key
// rotated by another controller process) are followed through `watch`.
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { JSONWebKeySet } from 'jose';
import { FerryError } from '../errors.js';
import { ABSENT, FileStore, TOKEN_KEY_PREFIX, tokenKeysTable, type Entry, type JsonValue, type StateStore, type Unsubscribe } from '../state/index.js';
import { certifyKey, chainFileOf, needsCertificate, type Certify } from './key-certification.js';
import { generateTokenKeyPem, loadTokenKey, type KeySource, type TokenKey } from './token-key.js';

export interface TokenKeyStoreOptions {
  /** `iss` of every token signed with these keys. */
  issuer: string;
  /** Generate a first key when the store holds none (default true). */
  createIfEmpty?: boolean;
  /**
   * Asks the CA for a certificate chain (PEM, leaf first) for a key, so tokens carry `x5c`.
   * Called for a new key, for a key found without a chain, and for one whose chain nears expiry.
   */
  certify?: Certify;
  /** How many keys `rotate()` leaves in the store, the new signer included (default 3). */
  maxKeys?: number;
  /** Follow the store's changes (keys added by another process verify at once). Default true on a shared store. */
  watch?: boolean;
  /** Clock in ms (default Date.now): key names and certificate expiry. */
  now?: () => number;
  /** A background reload or certification failed; the keys in force stay. */
  onError?: (err: unknown) => void;
}

interface KeySet {
  /** Newest first. */
  keys: readonly TokenKey[];
  byKid: ReadonlyMap<string, TokenKey>;
}

// How often to look for certificates nearing expiry, besides every reload.
const CERTIFICATE_CHECK_MS = 3_600_000;
// A change seen in the store is read this much later, once: an operator copying a key file and
// its .crt by hand (not atomically) is done by then, and a burst of events costs one reload.
const SETTLE_MS = 250;

export class TokenKeyStore {
  /** Where the keys live (the key folder for the file store), for messages. */
  readonly dir: string;
  readonly issuer: string;
  readonly #store: StateStore;
  readonly #ownsStore: boolean;
  readonly #certify: Certify | undefined;
  readonly #maxKeys: number;
  readonly #now: () => number;
  readonly #onError: (err: unknown) => void;
  #set: KeySet = { keys: [], byKid: new Map() };
  // rotate() and reload() both replace the set; running them one at a time keeps it consistent.
  #queue: Promise<unknown> = Promise.resolve();
  #unwatch: Unsubscribe | undefined;
  #timer: NodeJS.Timeout | undefined;
  #settle: NodeJS.Timeout | undefined;

  private constructor(store: StateStore, ownsStore: boolean, options: TokenKeyStoreOptions) {
    const maxKeys = options.maxKeys ?? 3;
    if (!Number.isInteger(maxKeys) || maxKeys < 1) {
      throw new FerryError('FERRY_ERR_BAD_CONFIG', `token key maxKeys must be a whole number ≥ 1, got ${maxKeys}`);
    }
    this.#store = store;
    this.#ownsStore = ownsStore;
    this.dir = dirname(store.describe(`${TOKEN_KEY_PREFIX}0`));
    this.issuer = options.issuer;
    this.#certify = options.certify;
    this.#maxKeys = maxKeys;
    this.#now = options.now ?? Date.now;
    this.#onError = options.onError ?? (() => undefined);
  }

  /** Keys in a folder of their own (token-key-<ms>.pem); reload() re-reads it. */
  static async open(dir: string, options: TokenKeyStoreOptions): Promise<TokenKeyStore> {
    const create = options.createIfEmpty ?? true;
    if (create) await mkdir(dir, { recursive: true, mode: 0o700 });
    const store = await FileStore.forTable(dirname(dir), tokenKeysTable(dir), { create });
    return TokenKeyStore.#start(store, true, { watch: false, ...options });
  }

  /** Keys in a shared state store (the controller's). */
  static onStore(store: StateStore, options: TokenKeyStoreOptions): Promise<TokenKeyStore> {
    return TokenKeyStore.#start(store, false, options);
  }

  static async #start(store: StateStore, owns: boolean, options: TokenKeyStoreOptions): Promise<TokenKeyStore> {
    let keys: TokenKeyStore | undefined;
    try {
      keys = new TokenKeyStore(store, owns, options);
      const self = keys;
      if (options.watch ?? true) self.#unwatch = store.watch(TOKEN_KEY_PREFIX, () => self.#reloadSoon());
      const found = await self.#readKeys();
      if (found.length > 0) self.#install(await self.#certifyWhereNeeded(found));
      else if (options.createIfEmpty ?? true) await self.rotate();
      else throw new FerryError('FERRY_ERR_BAD_CONFIG', `no token keys (token-key-*.pem) in ${self.dir}`);
      if (self.#certify) self.#timer = setInterval(() => self.#reloadIfExpiring(), CERTIFICATE_CHECK_MS).unref();
      return self;
    } catch (err) {
      await keys?.close();
      if (owns && !keys) await store.close();
      throw err;
    }
  }

  /** The key new tokens are signed with: the newest. */
  signingKey(): TokenKey {
    const key = this.#set.keys[0];
    if (!key) throw new FerryError('FERRY_ERR_INTERNAL', `token key store ${this.dir} holds no key`);
    return key;
  }

  /** Every key that verifies, newest first. */
  keys(): readonly TokenKey[] {
    return this.#set.keys;
  }

  /** Look a key up by RFC 7638 thumbprint or libtrust key id. */
  findKey(kid: string): TokenKey | undefined {
    return this.#set.byKid.get(kid);
  }

  /** Every verifying key as a JWK Set (kid, alg, use: sig, x5c where known), for the JWKS endpoint. */
  jwks(): JSONWebKeySet {
    return { keys: this.#set.keys.map((key) => ({ ...key.publicJwk })) };
  }

  /** Make a new key (certified when a `certify` callback was given); it signs from now on. */
  rotate(): Promise<TokenKey> {
    return this.#serially(() => this.#rotate());
  }

  /**
   * Re-read the keys (on SIGHUP or a change in the store). If any key is bad, the error names
   * its file and the key set in force stays as it was.
   */
  reload(): Promise<void> {
    return this.#serially(async () => {
      const keys = await this.#readKeys();
      if (keys.length === 0) throw new FerryError('FERRY_ERR_BAD_CONFIG', `no token keys (token-key-*.pem) in ${this.dir}`);
      this.#install(await this.#certifyWhereNeeded(keys));
    });
  }

  /** Stop following the store and the expiry timer (and close the store if this opened it). */
  async close(): Promise<void> {
    this.#unwatch?.();
    this.#unwatch = undefined;
    clearInterval(this.#timer);
    clearTimeout(this.#settle);
    await this.#queue;
    if (this.#ownsStore) await this.#store.close();
  }

  async #rotate(): Promise<TokenKey> {
    const pem = await generateTokenKeyPem();
    const chain = this.#certify ? await certifyKey(this.#certify, pem) : undefined;
    // Names must sort by age even when two rotations (here or in another process) land in the same millisecond.
    let createdAtMs = Math.max(this.#now(), (this.#set.keys[0]?.createdAtMs ?? -1) + 1);
    const value: JsonValue = chain === undefined ? { pem } : { pem, chain };
    while ((await this.#store.compareAndSet(`${TOKEN_KEY_PREFIX}${createdAtMs}`, ABSENT, value)) === undefined) createdAtMs++;
    const key = await loadTokenKey(this.#sourceOf(`${TOKEN_KEY_PREFIX}${createdAtMs}`, pem, chain));
    const all = [key, ...this.#set.keys.filter((k) => k.createdAtMs !== createdAtMs)];
    this.#install(all.slice(0, this.#maxKeys));
    for (const old of all.slice(this.#maxKeys)) await this.#store.delete(`${TOKEN_KEY_PREFIX}${old.createdAtMs}`);
    return key;
  }

  async #readKeys(): Promise<Array<{ entry: Entry; key: TokenKey }>> {
    const entries = (await this.#store.list(TOKEN_KEY_PREFIX)).filter((e) => /^\d+$/.test(e.key.slice(TOKEN_KEY_PREFIX.length)));
    const loaded = await Promise.all(
      entries.map(async (entry) => {
        const { pem, chain } = entry.value as { pem: string; chain?: string };
        return { entry, key: await loadTokenKey(this.#sourceOf(entry.key, pem, chain)) };
      }),
    );
    return loaded.sort((a, b) => b.key.createdAtMs - a.key.createdAtMs);
  }

  /** Keys without a chain, or whose chain nears expiry, get a fresh one (best effort: a failure keeps the key). */
  async #certifyWhereNeeded(found: Array<{ entry: Entry; key: TokenKey }>): Promise<TokenKey[]> {
    const certify = this.#certify;
    return Promise.all(
      found.map(async ({ entry, key }) => {
        if (!certify || !needsCertificate(key, this.#now())) return key;
        try {
          const { pem } = entry.value as { pem: string };
          const chain = await certifyKey(certify, pem);
          if (chain === undefined) return key;
          // Only over the version we read: a key another process removed meanwhile stays removed.
          if ((await this.#store.compareAndSet(entry.key, entry.version, { pem, chain })) === undefined) return key;
          return await loadTokenKey(this.#sourceOf(entry.key, pem, chain));
        } catch (err) {
          this.#onError(err);
          return key;
        }
      }),
    );
  }

  #sourceOf(storeKey: string, pem: string, chain: string | undefined): KeySource {
    const file = this.#store.describe(storeKey);
    const source: KeySource = { file, createdAtMs: Number(storeKey.slice(TOKEN_KEY_PREFIX.length)), pem };
    if (chain !== undefined) source.chain = { file: chainFileOf(file), pem: chain };
    return source;
  }

  #reloadSoon(): void {
    this.#settle ??= setTimeout(() => {
      this.#settle = undefined;
      this.#reloadInBackground();
    }, SETTLE_MS).unref();
  }

  #reloadInBackground(): void {
    this.reload().catch((err: unknown) => this.#onError(err));
  }

  #reloadIfExpiring(): void {
    if (this.#set.keys.some((key) => needsCertificate(key, this.#now()))) this.#reloadInBackground();
  }

  #install(keys: readonly TokenKey[]): void {
    const byKid = new Map<string, TokenKey>();
    for (const key of keys) {
      if (!byKid.has(key.kid)) byKid.set(key.kid, key);
      if (!byKid.has(key.libtrustKid)) byKid.set(key.libtrustKid, key);
    }
    this.#set = { keys, byKid };
  }

  #serially<T>(job: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(job, job);
    this.#queue = run.catch(() => undefined);
    return run;
  }
}
