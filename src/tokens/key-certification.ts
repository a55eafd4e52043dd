// Certificates for token keys, so tokens carry `x5c`: asking the CA (through the `certify`
// callback) and deciding when a key needs a new certificate.
import { createPublicKey } from 'node:crypto';
import { FerryError, messageOf } from '../errors.js';
import { splitCertificates, type TokenKey } from './token-key.js';

/** Given a public key PEM, returns its certificate chain (PEM, leaf first). */
export type Certify = (publicKeyPem: string) => Promise<string[]>;

/** The chain as one PEM text, or undefined when the callback gave none. */
export async function certifyKey(certify: Certify, privatePem: string): Promise<string | undefined> {
  const publicPem = createPublicKey(privatePem).export({ type: 'spki', format: 'pem' }).toString();
  let chain: string[];
  try {
    chain = await certify(publicPem);
  } catch (err) {
    if (err instanceof FerryError) throw err;
    throw new FerryError('FERRY_ERR_CA', `could not certify a token key: ${messageOf(err)}`, { cause: err });
  }
  const blocks = splitCertificates(chain);
  return blocks.length > 0 ? `${blocks.join('\n')}\n` : undefined;
}

/**
 * No chain yet, or less than a third of the leaf's lifetime left (the renewal point
 * cert-manager uses): time for a new certificate, well before registries refuse the tokens.
 */
export function needsCertificate(key: TokenKey, nowMs: number): boolean {
  if (!key.certNotAfter || !key.certNotBefore) return true;
  const lifetime = key.certNotAfter.getTime() - key.certNotBefore.getTime();
  return key.certNotAfter.getTime() - nowMs < lifetime / 3;
}

/** The chain file beside a key file (token-key-<ms>.pem → .crt), for messages. */
export function chainFileOf(keyFile: string): string {
  return keyFile.endsWith('.pem') ? keyFile.replace(/\.pem$/, '.crt') : `${keyFile} (chain)`;
}
