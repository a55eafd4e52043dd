// The client's token cache: one file per issuer, client and user under the user's cache
// folder (0700), each 0600, written through a temp file and a rename; reads never see half a
// file. A token counts as valid until its expiry minus a skew (kubelogin #754: checked
// without a margin, a token expired on its way to the API server).
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { withLoginLock } from './login-lock.js';

export interface CachedTokens {
  issuer: string;
  clientId: string;
  username: string;
  idToken: string;
  refreshToken?: string;
  /** Seconds since the epoch (the ID token's exp). */
  expiresAt: number;
}

export interface CacheKey {
  issuer: string;
  clientId: string;
  /** '' when the user is not known before logging in (an IdP login). */
  username: string;
}

export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env['FERRY_TOKEN_CACHE_DIR']) return env['FERRY_TOKEN_CACHE_DIR'];
  const base = env['XDG_CACHE_HOME'] || join(env['HOME'] || homedir(), '.cache');
  return join(base, 'ferry', 'tokens');
}

export function expiryOf(idToken: string): number {
  const exp = decodeJwt(idToken).exp;
  return typeof exp === 'number' ? exp : 0;
}

export class TokenCache {
  constructor(readonly dir: string = defaultCacheDir()) {}

  private fileOf(key: CacheKey): string {
    const id = createHash('sha256').update(`${key.issuer}\n${key.clientId}\n${key.username}`).digest('hex').slice(0, 32);
    return join(this.dir, `${id}.json`);
  }

  async get(key: CacheKey): Promise<CachedTokens | undefined> {
    try {
      const parsed = JSON.parse(await readFile(this.fileOf(key), 'utf8')) as CachedTokens;
      if (parsed.issuer !== key.issuer || parsed.clientId !== key.clientId || typeof parsed.idToken !== 'string') return undefined;
      return parsed;
    } catch {
      return undefined;
    }
  }

  async put(key: CacheKey, tokens: CachedTokens): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const file = this.fileOf(key);
    const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(tmp, JSON.stringify(tokens), { mode: 0o600 });
    await rename(tmp, file);
  }

  async remove(key: CacheKey): Promise<void> {
    await unlink(this.fileOf(key)).catch(() => undefined);
  }

  /** Runs `job` holding this key's login lock. */
  async locked<T>(key: CacheKey, job: () => Promise<T>): Promise<T> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    return withLoginLock(`${this.fileOf(key)}.lock`, job);
  }
}

/** Still good for at least `skewSeconds`. */
export function isFresh(tokens: CachedTokens | undefined, skewSeconds: number, nowMs = Date.now()): boolean {
  return tokens !== undefined && tokens.expiresAt - skewSeconds > nowMs / 1000;
}
