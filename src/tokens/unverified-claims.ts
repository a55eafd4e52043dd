// Reads a JWT's claims WITHOUT checking its signature: only to learn which audience or
// route to demand before the real verification (tokens/verifier.ts) decides, or to name
// a token (its jti, its agent) where no decision rests on it.
import { decodeJwt } from 'jose';
import { FerryError, type FerryErrorCode } from '../errors.js';

/** The payload of `token`, unverified; a token that is not a JWT throws `code` with `message`. */
export function readUnverifiedClaims(token: string, code: FerryErrorCode = 'FERRY_ERR_UNAUTHENTICATED', message = 'malformed token'): Record<string, unknown> {
  try {
    return decodeJwt(token);
  } catch {
    throw new FerryError(code, message);
  }
}
