// Key identifiers: RFC 7638 thumbprints (ferry's `kid`, registry 3) and the libtrust form registry 2.8 looks up.
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 7638 SHA-256 thumbprint of a public JWK, base64url. */
export function jwkThumbprint(publicJwk: JWK): Promise<string> {
  return calculateJwkThumbprint(publicJwk, 'sha256');
}

/**
 * docker/libtrust key id: SHA-256 of the SPKI DER, first 30 bytes, base32 without padding,
 * 12 groups of 4 characters joined by ':' (e.g. `ABCD:EFGH:…`). Accepts a public (or private) key PEM.
 */
export function libtrustKeyId(publicKey: string | KeyObject): string {
  const key = typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey;
  const spki = key.export({ type: 'spki', format: 'der' });
  const digest = createHash('sha256').update(spki).digest().subarray(0, 30);
  return base32NoPad(digest).match(/.{4}/g)!.join(':');
}

// Node has no base32 codec; 30 bytes is a multiple of 5, so no padding arises.
function base32NoPad(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += BASE32[(buffer >> bits) & 31];
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32[(buffer << (5 - bits)) & 31];
  return out;
}
