// Remembers tokens whose signature already verified, so a client that sends the same token on every
// request costs one ECDSA verify, not one per request (verify is ~5k/s on a core, the front door ~2k req/s).
import type { FerryClaims } from './claims.js';
import type { TokenKey } from './token-key.js';

export interface VerifiedToken {
  /** Frozen: the same object is handed to every caller presenting this token. */
  claims: Readonly<FerryClaims>;
  /** The key whose signature matched; the entry is only good while that key is still in the store. */
  key: TokenKey;
}

export class VerifiedTokenCache {
  readonly #max: number;
  // Keyed by the exact token text: a hit means these very bytes were verified before.
  readonly #entries = new Map<string, VerifiedToken>();

  constructor(maxEntries: number) {
    this.#max = maxEntries;
  }

  get(token: string): VerifiedToken | undefined {
    return this.#entries.get(token);
  }

  set(token: string, entry: VerifiedToken): void {
    if (this.#max <= 0) return;
    this.#entries.delete(token);
    this.#entries.set(token, entry);
    // Oldest-inserted first out: cheap, and a hot token is re-inserted after any miss.
    if (this.#entries.size > this.#max) this.#entries.delete(this.#entries.keys().next().value!);
  }

  delete(token: string): void {
    this.#entries.delete(token);
  }

  get size(): number {
    return this.#entries.size;
  }
}
