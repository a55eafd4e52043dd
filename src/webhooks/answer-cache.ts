// Webhook answers kept for a while per credential. Keys are SHA-256 digests of the
// credential and what else decides the answer: no password or token is held in clear.
import { createHash } from 'node:crypto';

export class AnswerCache<T> {
  readonly #entries = new Map<string, { value: T; until: number }>();

  /** ttlMs 0 switches caching off. */
  constructor(private readonly ttlMs: number, private readonly maxEntries = 10_000) {}

  /** A digest of the parts (joined with NUL, so "a"+"bc" ≠ "ab"+"c"). */
  static keyOf(...parts: string[]): string {
    return createHash('sha256').update(parts.join('\0')).digest('base64url');
  }

  get(key: string): T | undefined {
    if (this.ttlMs <= 0) return undefined;
    const hit = this.#entries.get(key);
    if (hit === undefined) return undefined;
    if (hit.until <= Date.now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return hit.value;
  }

  set(key: string, value: T): void {
    if (this.ttlMs <= 0) return;
    // Full: drop the oldest entry (Map iterates in insertion order).
    if (this.#entries.size >= this.maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, { value, until: Date.now() + this.ttlMs });
  }

  clear(): void {
    this.#entries.clear();
  }
}
