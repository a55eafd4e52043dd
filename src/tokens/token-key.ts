// One ES256 token key: parsed from its PKCS#8 PEM file and optional certificate chain, or newly generated.
import { createPrivateKey, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { exportPKCS8, generateKeyPair, importJWK, importPKCS8, type CryptoKey, type JWK } from 'jose';
import { FerryError } from '../errors.js';
import { jwkThumbprint, libtrustKeyId } from './key-id.js';

export interface TokenKey {
  /** RFC 7638 thumbprint; the `kid` ferry puts in headers and JWKS. */
  readonly kid: string;
  /** The same key's id in docker/libtrust form, for registry 2.8 `kid` lookups. */
  readonly libtrustKid: string;
  /** Creation time taken from the file name (ms since epoch); newest signs. */
  readonly createdAtMs: number;
  readonly file: string;
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
  /** Public JWK with kid, alg, use (and x5c when a chain is present), as served in JWKS. */
  readonly publicJwk: JWK;
  readonly publicKeyPem: string;
  /** Base64 DER certificates, leaf first, for the JWS `x5c` header; undefined without a chain. */
  readonly x5c: readonly string[] | undefined;
  /** When the leaf certificate expires: rotate before this or x5c-checking registries refuse the tokens. */
  readonly certNotAfter: Date | undefined;
  /** When the leaf certificate became valid: with certNotAfter, when to ask for a new one. */
  readonly certNotBefore: Date | undefined;
}

export interface KeySource {
  file: string;
  createdAtMs: number;
  pem: string;
  /** Path and text of the `.crt` beside the key, if there is one. */
  chain?: { file: string; pem: string };
}

const CERT_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

export async function generateTokenKeyPem(): Promise<string> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  return exportPKCS8(privateKey);
}

/** Parse and check one key; every failure names the file and never shows key material. */
export async function loadTokenKey(source: KeySource): Promise<TokenKey> {
  const keyObject = parseP256PrivateKey(source);
  const publicObject = createPublicKey(keyObject);
  const privateKey = await importPKCS8(source.pem, 'ES256').catch((cause: unknown) => {
    throw badKeyFile(source.file, 'is not a PKCS#8 PEM private key', cause);
  });
  const jwk = publicObject.export({ format: 'jwk' }) as JWK;
  const bareJwk: JWK = { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y };
  const publicKey = (await importJWK(bareJwk, 'ES256')) as CryptoKey;
  const kid = await jwkThumbprint(bareJwk);
  const chain = source.chain ? parseChain(source.chain, publicObject) : undefined;
  const x5c = chain?.map((cert) => cert.raw.toString('base64'));
  const publicJwk: JWK = { ...bareJwk, kid, alg: 'ES256', use: 'sig', ...(x5c ? { x5c: [...x5c] } : {}) };
  return {
    kid,
    libtrustKid: libtrustKeyId(publicObject),
    createdAtMs: source.createdAtMs,
    file: source.file,
    privateKey,
    publicKey,
    publicJwk,
    publicKeyPem: publicObject.export({ type: 'spki', format: 'pem' }).toString(),
    x5c,
    certNotAfter: chain ? new Date(chain[0]!.validTo) : undefined,
    certNotBefore: chain ? new Date(chain[0]!.validFrom) : undefined,
  };
}

/** Split a PEM bundle into its certificate blocks (a callback may return one string holding several). */
export function splitCertificates(pems: readonly string[]): string[] {
  return pems.flatMap((pem) => pem.match(CERT_BLOCK) ?? []);
}

function parseP256PrivateKey(source: KeySource): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(source.pem);
  } catch (cause) {
    throw badKeyFile(source.file, 'is not a PEM private key', cause);
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw badKeyFile(source.file, 'is not an EC P-256 key (token keys are ES256)');
  }
  return key;
}

function parseChain(chain: { file: string; pem: string }, publicKey: KeyObject): X509Certificate[] {
  const blocks = splitCertificates([chain.pem]);
  if (blocks.length === 0) throw badKeyFile(chain.file, 'holds no PEM certificate');
  let certs: X509Certificate[];
  try {
    certs = blocks.map((block) => new X509Certificate(block));
  } catch (cause) {
    throw badKeyFile(chain.file, 'holds a certificate that does not parse', cause);
  }
  // A chain for another key would make every x5c-verifying registry refuse our tokens.
  const leafSpki = certs[0]!.publicKey.export({ type: 'spki', format: 'der' });
  if (!leafSpki.equals(publicKey.export({ type: 'spki', format: 'der' }))) {
    throw badKeyFile(chain.file, 'certifies a different public key than its token key');
  }
  return certs;
}

function badKeyFile(file: string, problem: string, cause?: unknown): FerryError {
  // The cause is kept only when it is about parsing; OpenSSL messages carry no key bytes.
  return new FerryError('FERRY_ERR_BAD_CONFIG', `token key file ${file} ${problem}`, cause ? { cause } : undefined);
}
