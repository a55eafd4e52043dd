// Signs ferry JWTs with the key store's current key: ES256, `kid` always, `x5c` when the key has a chain.
import { randomUUID } from 'node:crypto';
import { SignJWT, type JWTPayload } from 'jose';
import { FerryError } from '../errors.js';
import { PURPOSES, type FerryClaims, type TokenPurpose } from './claims.js';
import type { TokenKeyStore } from './key-store.js';

export interface IssueRequest {
  purpose: TokenPurpose;
  sub: string;
  aud: string;
  agent?: string;
  type?: string;
  name?: string;
  groups?: string[];
  ttlSeconds: number;
}

export interface IssuedToken {
  token: string;
  claims: FerryClaims;
}

/** Which key id goes in the header: RFC 7638 (ferry, registry 3) or libtrust (registry 2.8 without x5c). */
export type KidForm = 'jwk-thumbprint' | 'libtrust';

export interface SignOptions {
  kidForm?: KidForm;
}

export interface TokenIssuerOptions {
  /** Clock in ms (default Date.now): `iat` and `exp`. */
  now?: () => number;
}

export class TokenIssuer {
  readonly #store: TokenKeyStore;
  readonly #now: () => number;

  constructor(store: TokenKeyStore, options: TokenIssuerOptions = {}) {
    this.#store = store;
    this.#now = options.now ?? Date.now;
  }

  async issue(request: IssueRequest): Promise<IssuedToken> {
    checkRequest(request);
    const iat = Math.floor(this.#now() / 1000);
    const claims: FerryClaims = {
      iss: this.#store.issuer,
      sub: request.sub,
      aud: request.aud,
      iat,
      exp: iat + request.ttlSeconds,
      jti: randomUUID(),
      purpose: request.purpose,
    };
    if (request.agent !== undefined) claims.agent = request.agent;
    if (request.type !== undefined) claims.type = request.type;
    if (request.name !== undefined) claims.name = request.name;
    if (request.groups !== undefined) claims.groups = [...request.groups];
    return { token: await this.sign({ ...claims }), claims };
  }

  /**
   * Sign an arbitrary claims set with the current key. For token shapes other than FerryClaims
   * (docker registry's `access` tokens); the caller owns their claims.
   */
  sign(payload: JWTPayload, options: SignOptions = {}): Promise<string> {
    const key = this.#store.signingKey();
    const kid = options.kidForm === 'libtrust' ? key.libtrustKid : key.kid;
    const header = { alg: 'ES256', typ: 'JWT', kid, ...(key.x5c ? { x5c: [...key.x5c] } : {}) };
    return new SignJWT(payload).setProtectedHeader(header).sign(key.privateKey);
  }
}

function checkRequest(request: IssueRequest): void {
  if (!(PURPOSES as readonly string[]).includes(request.purpose)) {
    throw new FerryError('FERRY_ERR_BAD_INPUT', `unknown token purpose ${JSON.stringify(request.purpose)}`);
  }
  if (request.sub.length === 0) throw new FerryError('FERRY_ERR_BAD_INPUT', 'a token needs a subject');
  if (request.aud.length === 0) throw new FerryError('FERRY_ERR_BAD_INPUT', 'a token needs an audience');
  // Whole seconds: registry 2.8 refuses tokens whose times are not integers.
  if (!Number.isSafeInteger(request.ttlSeconds) || request.ttlSeconds <= 0) {
    throw new FerryError('FERRY_ERR_BAD_INPUT', `token lifetime must be a whole number of seconds > 0, got ${request.ttlSeconds}`);
  }
}
