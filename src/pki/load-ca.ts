// Loading a CA from files. Each failure names the file so an operator knows which
// one to fix; messages never include file contents (the key file is a secret).
import { X509Certificate as NodeX509Certificate, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { FerryError, messageOf } from '../errors.js';
import { importPrivateKeyPem, spkiDer } from './algorithms.js';
import { CertificateAuthority } from './certificate-authority.js';
import { DEFAULT_TRUST_DOMAIN, splitSpiffeUri } from './identity.js';
import { firstPemBlock, looksLikePem } from './pem.js';
import { loadX509, type X509 } from './x509-provider.js';

function caError(file: string, why: string, cause?: unknown): FerryError {
  return new FerryError('FERRY_ERR_CA', `${file}: ${why}`, { cause });
}

async function readText(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw caError(file, `cannot read ${what} (${code ?? messageOf(err)})`, err);
  }
}

/** The trust domain recorded in the CA's own URI SAN; ferry.local for CAs made elsewhere. */
function trustDomainOf(x509: typeof X509, cert: X509.X509Certificate, file: string): string {
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
  const uris = san ? san.names.toJSON().filter((n) => n.type === 'url') : [];
  if (uris.length === 0) return DEFAULT_TRUST_DOMAIN;
  const first = uris[0];
  if (uris.length > 1 || first === undefined) throw caError(file, 'CA certificate has more than one URI SAN');
  try {
    const { trustDomain, segments } = splitSpiffeUri(first.value);
    if (segments.length > 0) throw new Error('path not allowed');
    return trustDomain;
  } catch (err) {
    throw caError(file, 'CA certificate URI SAN is not spiffe://<trust-domain>', err);
  }
}

export async function loadCA(certFile: string, keyFile: string): Promise<CertificateAuthority> {
  const certText = await readText(certFile, 'CA certificate');
  const certDer = firstPemBlock(certText, 'CERTIFICATE');
  if (!certDer) throw caError(certFile, 'not a PEM certificate');
  const x509 = await loadX509();
  let cert: X509.X509Certificate;
  let nodeCert: NodeX509Certificate;
  try {
    cert = new x509.X509Certificate(certDer);
    nodeCert = new NodeX509Certificate(certDer);
  } catch (err) {
    throw caError(certFile, 'unreadable certificate', err);
  }
  if (!nodeCert.ca) throw caError(certFile, 'not a CA certificate (basicConstraints CA:FALSE)');
  if (Date.parse(nodeCert.validTo) < Date.now()) throw caError(certFile, `CA certificate expired on ${nodeCert.validTo}`);

  const keyText = await readText(keyFile, 'CA key');
  if (!looksLikePem(keyText) || !/PRIVATE KEY-----/.test(keyText)) throw caError(keyFile, 'not a PEM private key');
  let key: KeyObject;
  try {
    key = importPrivateKeyPem(keyText);
  } catch (err) {
    // Node's key parser messages describe the format, never the key material.
    throw caError(keyFile, `unreadable private key (${messageOf(err)})`, err);
  }
  const certSpki = nodeCert.publicKey.export({ type: 'spki', format: 'der' });
  if (!spkiDer(key).equals(certSpki)) {
    throw caError(keyFile, `private key does not match the CA certificate ${certFile}`);
  }
  const ski = cert.getExtension(x509.SubjectKeyIdentifierExtension);
  return new CertificateAuthority({
    certDer,
    key,
    keyId: ski ? Buffer.from(ski.keyId, 'hex') : undefined,
    trustDomain: trustDomainOf(x509, cert, certFile),
  });
}
