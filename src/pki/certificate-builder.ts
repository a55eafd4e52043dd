// Builds and signs leaf certificates. Every leaf ferry issues goes through here, so the
// extension profile (what a leaf may do) is defined in one place. Encoded directly in
// DER and signed with Node's native crypto: see der.ts for why.
import { createHash, sign, type KeyObject } from 'node:crypto';
import { bitString, bool, children, explicit, ia5, octets, oid, readTlv, seq, set, tlv, time, uint, utf8 } from './der.js';
import { isRsa } from './algorithms.js';

export type Purpose = 'client' | 'server';
/** What a leaf is for: TLS client or server, or only signing (token keys: no TLS EKU). */
export type LeafPurpose = Purpose | 'signing';

export interface Signer {
  /** DER of the CA's subject Name, copied byte-for-byte as the leaf's issuer. */
  issuerDer: Buffer;
  key: KeyObject;
  /** The CA's subject key identifier, written as the leaf's authority key id. */
  keyId: Buffer;
}

export type SubjectAttribute = { type: 'CN' | 'O'; value: string };
export type SanEntry = { type: 'dns' | 'uri'; value: string } | { type: 'ip'; bytes: Buffer };

export interface LeafSpec {
  /** Hex serial number. */
  serial: string;
  subject: SubjectAttribute[];
  /** SubjectPublicKeyInfo DER: only the public key is ever used. */
  spki: Buffer;
  /** May be empty (then no SAN extension: RFC 5280 forbids an empty one). */
  sans: SanEntry[];
  purpose: LeafPurpose;
  notBefore: Date;
  notAfter: Date;
}

const OID = {
  CN: '2.5.4.3',
  O: '2.5.4.10',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  sha256WithRsa: '1.2.840.113549.1.1.11',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  subjectKeyId: '2.5.29.14',
  authorityKeyId: '2.5.29.35',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
} as const;

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return critical ? seq(oid(id), bool(true), octets(value)) : seq(oid(id), octets(value));
}

export function encodeName(attrs: SubjectAttribute[]): Buffer {
  return seq(...attrs.map((a) => set(seq(oid(OID[a.type]), utf8(a.value)))));
}

function encodeSan(entry: SanEntry): Buffer {
  if (entry.type === 'ip') return tlv(0x87, entry.bytes);
  return ia5(entry.type === 'dns' ? 0x82 : 0x86, entry.value);
}

/** RFC 5280 method 1: SHA-1 of the subjectPublicKey BIT STRING's bits. */
export function keyIdOf(spki: Buffer): Buffer {
  const [, bits] = children(readTlv(spki).content);
  if (!bits || bits.tag !== 0x03) throw new Error('malformed SubjectPublicKeyInfo');
  return createHash('sha1').update(bits.content.subarray(1)).digest();
}

/** The subject Name DER of a certificate (to use as the issuer of what it signs). */
export function subjectDerOf(certDer: Buffer): Buffer {
  const [tbs] = children(readTlv(certDer).content);
  if (!tbs) throw new Error('malformed certificate');
  const fields = children(tbs.content);
  const offset = fields[0]?.tag === 0xa0 ? 1 : 0;
  const subject = fields[offset + 4];
  if (!subject || subject.tag !== 0x30) throw new Error('malformed certificate');
  return Buffer.from(subject.raw);
}

export function buildLeaf(spec: LeafSpec, signer: Signer): Buffer {
  const rsaSubject = isRsaSpki(spec.spki);
  // keyEncipherment only matters for RSA key exchange (TLS 1.2 RSA suites).
  // KeyUsage is a named BIT STRING: digitalSignature = bit 0, keyEncipherment = bit 2.
  const keyUsage = rsaSubject ? bitString(Buffer.from([0xa0]), 5) : bitString(Buffer.from([0x80]), 7);
  const extensions = seq(
    extension(OID.basicConstraints, true, seq()),
    extension(OID.keyUsage, true, keyUsage),
    ...(spec.purpose === 'signing' ? [] : [extension(OID.extKeyUsage, false, seq(oid(spec.purpose === 'client' ? OID.clientAuth : OID.serverAuth)))]),
    ...(spec.sans.length === 0 ? [] : [extension(OID.subjectAltName, false, seq(...spec.sans.map(encodeSan)))]),
    extension(OID.subjectKeyId, false, octets(keyIdOf(spec.spki))),
    extension(OID.authorityKeyId, false, seq(tlv(0x80, signer.keyId))),
  );
  const sigAlg = isRsa(signer.key) ? seq(oid(OID.sha256WithRsa), tlv(0x05, Buffer.alloc(0))) : seq(oid(OID.ecdsaWithSha256));
  const tbs = seq(
    explicit(0, uint(Buffer.from([2]))), // v3
    uint(Buffer.from(spec.serial, 'hex')),
    sigAlg,
    signer.issuerDer,
    seq(time(spec.notBefore), time(spec.notAfter)),
    encodeName(spec.subject),
    spec.spki,
    explicit(3, extensions),
  );
  // Node's ECDSA signatures are DER (r, s) by default, which is what X.509 wants.
  const signature = sign('sha256', tbs, signer.key);
  return seq(tbs, sigAlg, bitString(signature));
}

// rsaEncryption OID 1.2.840.113549.1.1.1 as it appears inside an SPKI.
const RSA_ENCRYPTION = oid('1.2.840.113549.1.1.1');

function isRsaSpki(spki: Buffer): boolean {
  const [algId] = children(readTlv(spki).content);
  const [algOid] = algId ? children(algId.content) : [];
  return algOid !== undefined && algOid.raw.equals(RSA_ENCRYPTION);
}
