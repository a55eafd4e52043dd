// Remembers a successful password check for a short while. bcrypt (pure JS here) costs
// ~80 ms of CPU per check, and docker clients ask for a token per operation with the same
// credentials: measured 12 password tokens/s before, far more once a login is remembered.
// Only successes are kept, under an HMAC of user and password with a key made at start
// (nothing in memory can be tried against a dictionary), bounded, for `ttlMs`.
import { createHmac, randomBytes } from 'node:crypto';
import type { PasswordChecker, PasswordIdentity } from './types.js';

const MAX_ENTRIES = 10_000;

export class CachedPasswords implements PasswordChecker {
  readonly name: string;
  readonly #key = randomBytes(32);
  readonly #seen = new Map<string, { who: PasswordIdentity; until: number }>();

  constructor(
    private readonly inner: PasswordChecker,
    private readonly ttlMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {
    this.name = inner.name;
  }

  async check(username: string, password: string): Promise<PasswordIdentity | null> {
    if (this.ttlMs <= 0) return this.inner.check(username, password);
    const id = createHmac('sha256', this.#key).update(username).update('\u0000').update(password).digest('base64');
    const hit = this.#seen.get(id);
    if (hit && hit.until > this.now()) return hit.who;
    const who = await this.inner.check(username, password);
    if (who) {
      if (this.#seen.size >= MAX_ENTRIES) this.#seen.clear();
      this.#seen.set(id, { who, until: this.now() + this.ttlMs });
    } else if (hit) this.#seen.delete(id);
    return who;
  }

  close(): Promise<void> {
    this.#seen.clear();
    return this.inner.close ? this.inner.close() : Promise.resolve();
  }
}
