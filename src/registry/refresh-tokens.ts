// Refresh tokens (POST with access_type=offline): random, given to the client once, kept
// in the state store only as their SHA-256, so a copy of the store logs no one in. Shared
// by every controller replica on the same store; revoked by deleting the entry.
import { createHash, randomBytes } from 'node:crypto';
import type { JsonValue, StateStore } from '../state/store.js';
import type { RefreshRecord, RefreshTokenStore } from './types.js';

const PREFIX = 'registry/refresh/';

export function refreshTokenId(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function isRecord(v: unknown): v is RefreshRecord {
  const r = v as RefreshRecord | undefined;
  return typeof r === 'object' && r !== null && typeof r.subject === 'string' && typeof r.service === 'string' && typeof r.expiresAt === 'number';
}

export class StoredRefreshTokens implements RefreshTokenStore {
  constructor(
    private readonly store: StateStore,
    private readonly now: () => number = Date.now,
  ) {}

  async create(record: RefreshRecord): Promise<string> {
    const token = `fr_${randomBytes(32).toString('base64url')}`;
    await this.store.put(PREFIX + refreshTokenId(token), record as unknown as JsonValue);
    return token;
  }

  async find(token: string): Promise<RefreshRecord | undefined> {
    if (!/^fr_[A-Za-z0-9_-]{43}$/.test(token)) return undefined;
    const entry = await this.store.get(PREFIX + refreshTokenId(token));
    if (!entry || !isRecord(entry.value)) return undefined;
    if (entry.value.expiresAt <= this.now()) {
      await this.store.delete(entry.key);
      return undefined;
    }
    return entry.value;
  }

  async revoke(by: { token?: string; id?: string; subject?: string }): Promise<number> {
    const id = by.token !== undefined ? refreshTokenId(by.token) : by.id;
    if (id !== undefined) {
      const key = PREFIX + id;
      const had = await this.store.get(key);
      await this.store.delete(key);
      return had ? 1 : 0;
    }
    let n = 0;
    for (const e of await this.store.list(PREFIX)) {
      if (isRecord(e.value) && e.value.subject === by.subject) {
        await this.store.delete(e.key);
        n++;
      }
    }
    return n;
  }

  /** id (the hash), subject, service and times of each live token: never the token. */
  async list(): Promise<{ id: string; subject: string; service: string; createdAt: string; expiresAt: string }[]> {
    return (await this.store.list(PREFIX)).flatMap((e) =>
      isRecord(e.value)
        ? [{ id: e.key.slice(PREFIX.length), subject: e.value.subject, service: e.value.service, createdAt: new Date(e.value.createdAt).toISOString(), expiresAt: new Date(e.value.expiresAt).toISOString() }]
        : [],
    );
  }
}
