// Key algorithms ferry issues with. ECDSA P-256 is the default: keygen and signing are
// far cheaper than RSA and every TLS stack we talk to accepts it; RSA is for old clients.
// Keys are Node KeyObjects (native, synchronous where cheap); WebCrypto copies are made
// only where @peculiar/x509 needs them (CA creation, CSRs).
import { createPrivateKey, createPublicKey, generateKeyPair as generateKeyPairCb, generateKeyPairSync, type KeyObject, type webcrypto } from 'node:crypto';
import { promisify } from 'node:util';
import { subtle } from './x509-provider.js';

import { DEFAULT_KEY_ALGORITHM, type KeyAlgorithm } from './key-algorithm.js';

export { DEFAULT_KEY_ALGORITHM, KEY_ALGORITHMS, isKeyAlgorithm, parseKeyAlgorithm, type KeyAlgorithm } from './key-algorithm.js';

export interface KeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

const generateRsa = promisify(generateKeyPairCb);
const ECDSA_IMPORT = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const ECDSA_SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;
const RSA_SIGN = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as const;

export async function generateKeyPair(alg: KeyAlgorithm = DEFAULT_KEY_ALGORITHM): Promise<KeyPair> {
  // P-256 keygen takes ~50 µs: synchronous beats a thread-pool round trip.
  if (alg === 'ecdsa-p256') return generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  // RSA keygen takes tens to hundreds of ms: keep it off the event loop.
  return generateRsa('rsa', { modulusLength: alg === 'rsa-2048' ? 2048 : 4096, publicExponent: 0x10001 });
}

/** PKCS#8 PEM ("BEGIN PRIVATE KEY"), which Node's tls, openssl and kubectl all read. */
export function exportPrivateKeyPem(key: KeyObject): string {
  return key.export({ type: 'pkcs8', format: 'pem' }).toString();
}

export function spkiDer(key: KeyObject): Buffer {
  return (key.type === 'private' ? createPublicKey(key) : key).export({ type: 'spki', format: 'der' });
}

export function isRsa(key: KeyObject): boolean {
  return key.asymmetricKeyType === 'rsa';
}

/** WebCrypto signature parameters for a key (SHA-256 in both families). */
export function webSigningAlgorithm(key: KeyObject): typeof ECDSA_SIGN | typeof RSA_SIGN {
  return isRsa(key) ? RSA_SIGN : ECDSA_SIGN;
}

/** WebCrypto copies of a native key pair, for @peculiar/x509. */
export async function toWebCryptoPair(pair: KeyPair): Promise<webcrypto.CryptoKeyPair> {
  const alg = isRsa(pair.privateKey) ? RSA_SIGN : ECDSA_IMPORT;
  const [privateKey, publicKey] = await Promise.all([
    subtle.importKey('pkcs8', pair.privateKey.export({ type: 'pkcs8', format: 'der' }), alg, true, ['sign']),
    subtle.importKey('spki', spkiDer(pair.publicKey), alg, true, ['verify']),
  ]);
  return { privateKey, publicKey };
}

/** Why a key cannot be used by ferry (P-256 or RSA ≥ 2048 only), or undefined if it can. */
export function refusedKeyReason(key: KeyObject): string | undefined {
  if (key.asymmetricKeyType === 'ec') {
    return key.asymmetricKeyDetails?.namedCurve === 'prime256v1' ? undefined : 'EC key not on P-256';
  }
  if (key.asymmetricKeyType === 'rsa') {
    return (key.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048 ? undefined : 'RSA key shorter than 2048 bits';
  }
  return `unsupported key type ${key.asymmetricKeyType ?? 'unknown'}`;
}

/**
 * Reads a private key PEM in any form openssl writes (PKCS#8, SEC1 "EC PRIVATE KEY",
 * PKCS#1 "RSA PRIVATE KEY"). Throws a plain Error; callers add the file name.
 */
export function importPrivateKeyPem(pem: string): KeyObject {
  const key = createPrivateKey({ key: pem, format: 'pem' });
  const refused = refusedKeyReason(key);
  if (refused) throw new Error(refused);
  return key;
}

/** Reason a SubjectPublicKeyInfo (e.g. from a CSR) is refused, or undefined. */
export function refusedPublicKeyReason(spki: Buffer): string | undefined {
  try {
    return refusedKeyReason(createPublicKey({ key: spki, format: 'der', type: 'spki' }));
  } catch {
    return 'unreadable public key';
  }
}
