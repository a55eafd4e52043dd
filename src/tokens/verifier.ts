// Verifies ferry JWTs: ES256 only, signed by a key in the store, in date, for this audience, not revoked.
import { decodeProtectedHeader, errors as joseErrors, jwtVerify } from 'jose';
import { z } from 'zod';
import { FerryError } from '../errors.js';
import { PURPOSES, type FerryClaims, type TokenPurpose } from './claims.js';
import type { TokenKeyStore } from './key-store.js';
import type { RevocationList } from './revocations.js';
import type { TokenKey } from './token-key.js';
import { VerifiedTokenCache, type VerifiedToken } from './verified-cache.js';

export interface TokenVerifierOptions {
  /** Deny list consulted for `jti` on every call; without one no token counts as revoked. */
  revocations?: RevocationList;
  /** Allowed clock skew for exp/iat (default 30 s). */
  clockToleranceSeconds?: number;
  /** How many verified tokens to remember (default 10000; 0 turns the cache off). */
  cacheSize?: number;
  /** Clock in ms (default Date.now): expiry and issued-at checks. */
  now?: () => number;
}

export interface VerifyOptions {
  /** The token's `aud` must equal this (or one of these). */
  audience: string | string[];
  /** When given, the token's `purpose` must be one of these. */
  purposes?: TokenPurpose[];
}

// Real ferry tokens are well under 2 KiB even with an x5c chain; refuse giants before parsing.
const MAX_TOKEN_LENGTH = 16 * 1024;

const CLAIMS = z.object({
  iss: z.string(),
  sub: z.string().min(1),
  aud: z.string().min(1),
  iat: z.number().int(),
  exp: z.number().int(),
  jti: z.string().min(1),
  purpose: z.enum(PURPOSES),
  agent: z.string().optional(),
  type: z.string().optional(),
  name: z.string().optional(),
  groups: z.array(z.string()).optional(),
});

export class TokenVerifier {
  readonly #store: TokenKeyStore;
  readonly #revocations: RevocationList | undefined;
  readonly #tolerance: number;
  readonly #cache: VerifiedTokenCache;
  readonly #now: (() => number) | undefined;

  constructor(store: TokenKeyStore, options: TokenVerifierOptions = {}) {
    this.#now = options.now;
    this.#store = store;
    this.#revocations = options.revocations;
    this.#tolerance = options.clockToleranceSeconds ?? 30;
    this.#cache = new VerifiedTokenCache(options.cacheSize ?? 10_000);
  }

  /**
   * The token's claims, or FerryError FERRY_ERR_UNAUTHENTICATED with a short fixed reason.
   * The returned object is frozen (it may be shared with other callers presenting the same token).
   */
  async verify(token: string, options: VerifyOptions): Promise<FerryClaims> {
    let verified = this.#cache.get(token);
    // A cached signature only counts while its key is still in the store (a reload may have removed it).
    if (!verified || this.#store.findKey(verified.key.kid) !== verified.key) {
      verified = await this.#verifySignature(token);
      this.#cache.set(token, verified);
    }
    const { claims } = verified;
    if (claims.exp <= this.#nowSeconds() - this.#tolerance) {
      this.#cache.delete(token);
      throw unauthenticated('token expired');
    }
    if (!audienceMatches(claims.aud, options.audience)) throw unauthenticated('wrong audience');
    if (options.purposes && !options.purposes.includes(claims.purpose)) throw unauthenticated('wrong token purpose');
    if (this.#revocations?.isJtiRevoked(claims.jti)) throw unauthenticated('token revoked');
    return claims;
  }

  /** Signature, algorithm, issuer, times and claim shapes: everything that does not depend on the caller. */
  async #verifySignature(token: string): Promise<VerifiedToken> {
    const candidates = this.#candidateKeys(token);
    for (const [index, key] of candidates.entries()) {
      let payload: unknown;
      try {
        ({ payload } = await jwtVerify(token, key.publicKey, {
          algorithms: ['ES256'],
          issuer: this.#store.issuer,
          clockTolerance: this.#tolerance,
          requiredClaims: ['exp', 'iat', 'jti', 'sub', 'aud'],
          ...(this.#now ? { currentDate: new Date(this.#now()) } : {}),
        }));
      } catch (err) {
        const isLast = index === candidates.length - 1;
        if (err instanceof joseErrors.JWSSignatureVerificationFailed && !isLast) continue;
        throw fromJoseError(err);
      }
      const parsed = CLAIMS.safeParse(payload);
      if (!parsed.success) throw unauthenticated('malformed claims');
      if (parsed.data.iat > this.#nowSeconds() + this.#tolerance) throw unauthenticated('token issued in the future');
      return { claims: freezeClaims(parsed.data), key };
    }
    throw unauthenticated('bad signature');
  }

  #nowSeconds(): number {
    return Math.floor((this.#now ? this.#now() : Date.now()) / 1000);
  }

  #candidateKeys(token: string): readonly TokenKey[] {
    if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) {
      throw unauthenticated('malformed token');
    }
    let header: ReturnType<typeof decodeProtectedHeader>;
    try {
      header = decodeProtectedHeader(token);
    } catch {
      throw unauthenticated('malformed token');
    }
    // Checked before any key is touched: this is what stops alg:none and HS256-with-public-key.
    if (header.alg !== 'ES256') throw unauthenticated('unsupported algorithm');
    if (header.kid === undefined) return this.#store.keys();
    const key = typeof header.kid === 'string' ? this.#store.findKey(header.kid) : undefined;
    if (!key) throw unauthenticated('unknown signing key');
    return [key];
  }
}

function audienceMatches(aud: string, wanted: string | string[]): boolean {
  return typeof wanted === 'string' ? aud === wanted : wanted.includes(aud);
}

function freezeClaims(claims: FerryClaims): Readonly<FerryClaims> {
  if (claims.groups) Object.freeze(claims.groups);
  return Object.freeze(claims);
}

function fromJoseError(err: unknown): FerryError {
  if (err instanceof joseErrors.JWTExpired) return unauthenticated('token expired');
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return unauthenticated('bad signature');
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return unauthenticated('unsupported algorithm');
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    if (err.claim === 'iss') return unauthenticated('wrong issuer');
    if (err.reason === 'missing') return unauthenticated(`missing ${err.claim} claim`);
    return unauthenticated(`bad ${err.claim} claim`);
  }
  if (err instanceof joseErrors.JOSEError) return unauthenticated('malformed token');
  return new FerryError('FERRY_ERR_INTERNAL', 'token verification failed unexpectedly', { cause: err });
}

// Reasons are fixed strings: nothing from the token (or jose's message about it) reaches the caller.
function unauthenticated(reason: string): FerryError {
  return new FerryError('FERRY_ERR_UNAUTHENTICATED', reason);
}
