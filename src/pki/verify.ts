// Checking a peer's certificate against our CA. Runs on every new connection, so it
// uses Node's native X.509 parser (no ASN.1 work in JS).
import { X509Certificate } from 'node:crypto';
import { FerryError } from '../errors.js';
import type { CertificateAuthority } from './certificate-authority.js';
import type { Purpose } from './certificate-builder.js';
import { identityFromUri, isGroupName, type Identity } from './identity.js';

const EKU_OID: Record<Purpose, string> = { client: '1.3.6.1.5.5.7.3.2', server: '1.3.6.1.5.5.7.3.1' };

export interface VerifyOptions {
  purpose: Purpose;
  now?: Date;
}

function certError(reason: string): FerryError {
  return new FerryError('FERRY_ERR_CERT', reason);
}

function parse(certPemOrDer: string | Uint8Array): X509Certificate {
  try {
    return new X509Certificate(typeof certPemOrDer === 'string' ? certPemOrDer : Buffer.from(certPemOrDer));
  } catch {
    throw certError('unreadable certificate');
  }
}

/**
 * URI SANs from Node's subjectAltName text. Node quotes (JSON-style) any value holding
 * a separator or odd character, so splitting on ", " cannot be fooled; a quoted URI can
 * never be one of ours, so it is refused.
 */
function uriSans(cert: X509Certificate): string[] {
  const text = cert.subjectAltName;
  if (!text) return [];
  const uris: string[] = [];
  for (const entry of text.split(', ')) {
    if (!entry.startsWith('URI:')) continue;
    const value = entry.slice(4);
    if (value.startsWith('"')) throw certError('malformed URI subject alternative name');
    uris.push(value);
  }
  return uris;
}

/** Subject attributes from Node's "KEY=value" lines; odd values come quoted and are refused by callers. */
function subjectValues(cert: X509Certificate, key: string): string[] {
  return cert.subject
    .split('\n')
    .filter((l) => l.startsWith(`${key}=`))
    .map((l) => l.slice(key.length + 1));
}

export function verifyPeerCertificate(certPemOrDer: string | Uint8Array, ca: CertificateAuthority, opts: VerifyOptions): Identity {
  const cert = parse(certPemOrDer);
  if (!cert.checkIssued(ca.nodeCert) || !cert.verify(ca.nodeCert.publicKey)) throw certError('not issued by this CA');
  const now = (opts.now ?? new Date()).getTime();
  if (now < Date.parse(cert.validFrom)) throw certError('certificate not yet valid');
  if (now > Date.parse(cert.validTo)) throw certError('certificate expired');
  if (cert.ca) throw certError('wrong purpose: a CA certificate cannot be a peer');
  // Node names the *extended* key usage list `keyUsage`.
  const ekus = cert.keyUsage ?? [];
  if (!ekus.includes(EKU_OID[opts.purpose])) {
    const has = ekus.includes(EKU_OID.client) ? 'client' : ekus.includes(EKU_OID.server) ? 'server' : 'no ferry';
    throw certError(`wrong purpose: certificate is for ${has} use, expected ${opts.purpose}`);
  }
  const uris = uriSans(cert);
  if (uris.length !== 1 || uris[0] === undefined) throw certError(`expected exactly one URI identity, found ${uris.length}`);
  const { trustDomain, identity } = identityFromUri(uris[0]);
  if (trustDomain !== ca.trustDomain) throw certError(`wrong trust domain "${trustDomain}"`);
  if (identity.kind === 'user') {
    const cns = subjectValues(cert, 'CN');
    if (cns.length !== 1 || cns[0] !== identity.name) throw certError('user certificate CN does not match its URI identity');
    const groups = subjectValues(cert, 'O');
    if (!groups.every(isGroupName)) throw certError('user certificate has a malformed group');
    return { ...identity, groups };
  }
  return identity;
}

/** Serial number as lowercase hex (the form issue* return). */
export function serialOf(certPem: string | Uint8Array): string {
  return parse(certPem).serialNumber.toLowerCase();
}

export function notAfterOf(certPem: string | Uint8Array): Date {
  return new Date(Date.parse(parse(certPem).validTo));
}
