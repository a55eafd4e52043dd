// The names of the key algorithms (no crypto imports, so CLIs can list them cheaply).
import { FerryError } from '../errors.js';

export type KeyAlgorithm = 'ecdsa-p256' | 'rsa-2048' | 'rsa-4096';
export const KEY_ALGORITHMS: readonly KeyAlgorithm[] = ['ecdsa-p256', 'rsa-2048', 'rsa-4096'];
export const DEFAULT_KEY_ALGORITHM: KeyAlgorithm = 'ecdsa-p256';

export function isKeyAlgorithm(s: string): s is KeyAlgorithm {
  return (KEY_ALGORITHMS as readonly string[]).includes(s);
}

export function parseKeyAlgorithm(s: string): KeyAlgorithm {
  if (!isKeyAlgorithm(s)) {
    throw new FerryError('FERRY_ERR_BAD_INPUT', `unknown key algorithm "${s}" (use ${KEY_ALGORITHMS.join(', ')})`);
  }
  return s;
}
