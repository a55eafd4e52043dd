// A directory of ES256 token keys: the newest signs, all verify; rotate adds a key, reload re-reads the files.
import { createPublicKey } from 'node:crypto';
import { mkdir, readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { JSONWebKeySet } from 'jose';
import { FerryError, messageOf } from '../errors.js';
import { writeFileAtomic } from './atomic-write.js';
import { generateTokenKeyPem, loadTokenKey, splitCertificates, type KeySource, type TokenKey } from './token-key.js';

export interface TokenKeyStoreOptions {
  /** `iss` of every token signed with these keys. */
  issuer: string;
  /** Generate a first key when the directory holds none (default true). */
  createIfEmpty?: boolean;
  /** Asks the CA for a certificate chain (PEM, leaf first) for a new key, so tokens can carry `x5c`. */
  certify?: (publicKeyPem: string) => Promise<string[]>;
  /** How many keys `rotate()` leaves in the directory, the new signer included (default 3). */
  maxKeys?: number;
}

const KEY_FILE = /^token-key-(\d+)\.pem$/;

interface KeySet {
  /** Newest first. */
  keys: readonly TokenKey[];
  byKid: ReadonlyMap<string, TokenKey>;
}

export class TokenKeyStore {
  readonly dir: string;
  readonly issuer: string;
  readonly #certify: ((publicKeyPem: string) => Promise<string[]>) | undefined;
  readonly #maxKeys: number;
  #set: KeySet = { keys: [], byKid: new Map() };
  // rotate() and reload() both replace the set; running them one at a time keeps it consistent.
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(dir: string, options: TokenKeyStoreOptions) {
    const maxKeys = options.maxKeys ?? 3;
    if (!Number.isInteger(maxKeys) || maxKeys < 1) {
      throw new FerryError('FERRY_ERR_BAD_CONFIG', `token key maxKeys must be a whole number ≥ 1, got ${maxKeys}`);
    }
    this.dir = dir;
    this.issuer = options.issuer;
    this.#certify = options.certify;
    this.#maxKeys = maxKeys;
  }

  static async open(dir: string, options: TokenKeyStoreOptions): Promise<TokenKeyStore> {
    const store = new TokenKeyStore(dir, options);
    const createIfEmpty = options.createIfEmpty ?? true;
    if (createIfEmpty) await mkdir(dir, { recursive: true, mode: 0o700 });
    const keys = await readKeyDir(dir);
    if (keys.length > 0) store.#install(keys);
    else if (createIfEmpty) await store.rotate();
    else throw new FerryError('FERRY_ERR_BAD_CONFIG', `no token keys (token-key-*.pem) in ${dir}`);
    return store;
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

  /** The public keys as a JWK Set, for the control API's JWKS endpoint. */
  jwks(): JSONWebKeySet {
    return { keys: this.#set.keys.map((key) => ({ ...key.publicJwk })) };
  }

  /** Make a new key (certified when a `certify` callback was given); it signs from now on. */
  rotate(): Promise<TokenKey> {
    return this.#serially(() => this.#rotate());
  }

  /**
   * Re-read the directory (on SIGHUP or a file change). If any key file is bad, the error names
   * it and the key set in force stays as it was.
   */
  reload(): Promise<void> {
    return this.#serially(async () => {
      const keys = await readKeyDir(this.dir);
      if (keys.length === 0) throw new FerryError('FERRY_ERR_BAD_CONFIG', `no token keys (token-key-*.pem) in ${this.dir}`);
      this.#install(keys);
    });
  }

  async #rotate(): Promise<TokenKey> {
    const newest = this.#set.keys[0];
    // Names must sort by age even when two rotations land in the same millisecond.
    const createdAtMs = Math.max(Date.now(), newest ? newest.createdAtMs + 1 : 0);
    const file = join(this.dir, `token-key-${createdAtMs}.pem`);
    const pem = await generateTokenKeyPem();
    const chainPem = await this.#chainFor(pem);
    const source: KeySource = { file, createdAtMs, pem };
    if (chainPem) source.chain = { file: chainFileOf(file), pem: chainPem };
    const key = await loadTokenKey(source);
    // Chain first: a watcher that reloads on the .pem appearing must already find its .crt.
    if (source.chain) await writeFileAtomic(source.chain.file, source.chain.pem, 0o600);
    await writeFileAtomic(file, pem, 0o600);
    const all = [key, ...this.#set.keys];
    this.#install(all.slice(0, this.#maxKeys));
    await Promise.all(all.slice(this.#maxKeys).map((old) => removeKeyFiles(old.file)));
    return key;
  }

  async #chainFor(privatePem: string): Promise<string | undefined> {
    if (!this.#certify) return undefined;
    const publicPem = createPublicKey(privatePem).export({ type: 'spki', format: 'pem' }).toString();
    let chain: string[];
    try {
      chain = await this.#certify(publicPem);
    } catch (err) {
      if (err instanceof FerryError) throw err;
      throw new FerryError('FERRY_ERR_CA', `could not certify a new token key: ${messageOf(err)}`, { cause: err });
    }
    const blocks = splitCertificates(chain);
    return blocks.length > 0 ? `${blocks.join('\n')}\n` : undefined;
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

function chainFileOf(keyFile: string): string {
  return keyFile.replace(/\.pem$/, '.crt');
}

async function readKeyDir(dir: string): Promise<TokenKey[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    throw new FerryError('FERRY_ERR_BAD_CONFIG', `cannot read token key directory ${dir}: ${messageOf(err)}`, { cause: err });
  }
  const sources: KeySource[] = [];
  for (const name of names) {
    const match = KEY_FILE.exec(name);
    if (!match) continue;
    const file = join(dir, name);
    const source: KeySource = { file, createdAtMs: Number(match[1]), pem: await readText(file) };
    const chainPem = await readText(chainFileOf(file), true);
    if (chainPem !== undefined) source.chain = { file: chainFileOf(file), pem: chainPem };
    sources.push(source);
  }
  sources.sort((a, b) => b.createdAtMs - a.createdAtMs || (a.file < b.file ? 1 : -1));
  return Promise.all(sources.map(loadTokenKey));
}

async function readText(file: string, optional: true): Promise<string | undefined>;
async function readText(file: string): Promise<string>;
async function readText(file: string, optional = false): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if (optional && (err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new FerryError('FERRY_ERR_BAD_CONFIG', `cannot read token key file ${file}: ${messageOf(err)}`, { cause: err });
  }
}

async function removeKeyFiles(keyFile: string): Promise<void> {
  for (const file of [keyFile, chainFileOf(keyFile)]) {
    await unlink(file).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw new FerryError('FERRY_ERR_IO', `cannot remove old token key file ${file}: ${err.message}`);
    });
  }
}
