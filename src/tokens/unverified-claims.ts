// Reads a JWT's claims WITHOUT checking its signature: only to learn which audience or
// route to demand before the real verification (tokens/verifier.ts) decides.
import { decodeJwt } from 'jose';
import { FerryError } from '../errors.js';

/** The payload of `token`, unverified; throws FERRY_ERR_UNAUTHENTICATED 'malformed token'. */
export function readUnverifiedClaims(token: string): Record<string, unknown> {
  try {
    return decodeJwt(token);
  } catch {
    throw new FerryError('FERRY_ERR_UNAUTHENTICATED', 'malformed token');
  }
}
