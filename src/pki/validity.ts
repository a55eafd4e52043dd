// Validity windows and serial numbers for issued certificates.
import { randomBytes } from 'node:crypto';
import { FerryError } from '../errors.js';

export interface ValidityOptions {
  /** Days from now until notAfter (default depends on the certificate kind). */
  validityDays?: number;
  /** Explicit window, mainly for tests (e.g. an already-expired certificate). */
  notBefore?: Date;
  notAfter?: Date;
}

const DAY_MS = 86_400_000;
// Peers' clocks drift; a certificate that is "not yet valid" for a few seconds after
// issuance breaks the first connection of a freshly enrolled agent.
const BACKDATE_MS = 5 * 60_000;

export function validityWindow(opts: ValidityOptions, defaultDays: number, now = Date.now()): { notBefore: Date; notAfter: Date } {
  const days = opts.validityDays ?? defaultDays;
  if (!Number.isFinite(days) || days <= 0) {
    throw new FerryError('FERRY_ERR_BAD_INPUT', `validity must be a positive number of days, got ${days}`);
  }
  const notBefore = opts.notBefore ?? new Date(now - BACKDATE_MS);
  const notAfter = opts.notAfter ?? new Date(now + days * DAY_MS);
  if (notAfter.getTime() <= notBefore.getTime()) {
    throw new FerryError('FERRY_ERR_BAD_INPUT', 'certificate notAfter must be later than notBefore');
  }
  return { notBefore, notAfter };
}

/**
 * 128 random bits as lowercase hex. The first byte is kept in 0x10..0x7f so the DER
 * INTEGER is positive, needs no leading zero, and every tool prints the same digits.
 */
export function randomSerial(): string {
  const b = randomBytes(16);
  b[0] = 0x10 + ((b[0] ?? 0) % 0x70);
  return b.toString('hex');
}
