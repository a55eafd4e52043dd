// File-store versions are fingerprints of the value: the files have no room for a counter,
// and a fingerprint needs none. Equal values share a version, which is all compare-and-set needs.
import { createHash } from 'node:crypto';
import type { JsonValue, Version } from './store.js';

/** 48 bits of SHA-256 of the value's JSON: a safe integer, never 0 (0 means absent). */
export function versionOf(value: JsonValue): Version {
  const digest = createHash('sha256').update(JSON.stringify(value)).digest();
  return digest.readUIntBE(0, 6) || 1;
}
