// Certificate signing requests: the agent makes one so its private key never leaves
// it, and the CA checks that the request asks for exactly the expected identity and
// nothing more before signing.
import { FerryError } from '../errors.js';
import { DEFAULT_KEY_ALGORITHM, exportPrivateKeyPem, generateKeyPair, refusedPublicKeyReason, toWebCryptoPair, webSigningAlgorithm, type KeyAlgorithm } from './algorithms.js';
import { commonNameOf, describeIdentity, identityToUri, type Identity } from './identity.js';
import { firstPemBlock } from './pem.js';
import { OID_CN, OID_O, subjectJsonOf } from './subject.js';
import { loadX509, type X509 } from './x509-provider.js';

const OID_EXTENSION_REQUEST = '1.2.840.113549.1.9.14';
const OID_SAN = '2.5.29.17';
const OID_EKU = '2.5.29.37';
const OID_BASIC_CONSTRAINTS = '2.5.29.19';
const OID_KEY_USAGE = '2.5.29.15';

/** The agent side: a fresh key pair and a CSR naming `identity`. The key stays with the caller. */
export async function createCsr(identity: Identity, trustDomain: string, algorithm: KeyAlgorithm = DEFAULT_KEY_ALGORITHM): Promise<{ csrPem: string; keyPem: string }> {
  const uri = identityToUri(identity, trustDomain);
  const native = await generateKeyPair(algorithm);
  const x509 = await loadX509();
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: new x509.Name(subjectJsonOf(identity)),
    keys: await toWebCryptoPair(native),
    signingAlgorithm: webSigningAlgorithm(native.privateKey),
    extensions: [
      new x509.SubjectAlternativeNameExtension([{ type: 'url', value: uri }], false),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth], false),
    ],
  });
  return { csrPem: csr.toString('pem') + '\n', keyPem: exportPrivateKeyPem(native.privateKey) };
}

function refuse(expected: Identity, why: string): FerryError {
  return new FerryError('FERRY_ERR_CSR', `refusing CSR for ${describeIdentity(expected)}: ${why}`);
}

function parseCsr(x509: typeof X509, csrPem: string, expected: Identity): X509.Pkcs10CertificateRequest {
  const der = firstPemBlock(csrPem, 'CERTIFICATE REQUEST') ?? firstPemBlock(csrPem, 'NEW CERTIFICATE REQUEST');
  if (!der) throw refuse(expected, 'not a PEM certificate request');
  try {
    return new x509.Pkcs10CertificateRequest(der);
  } catch {
    throw refuse(expected, 'unreadable certificate request');
  }
}

/** Subject may name the identity (CN, and O per group for users) or be empty; nothing else. */
function checkSubject(csr: X509.Pkcs10CertificateRequest, expected: Identity): boolean {
  const cns: string[] = [];
  const os: string[] = [];
  for (const rdn of csr.subjectName.toJSON()) {
    for (const [type, values] of Object.entries(rdn)) {
      const oid = type === 'CN' ? OID_CN : type === 'O' ? OID_O : type;
      if (oid === OID_CN) cns.push(...values);
      else if (oid === OID_O) os.push(...values);
      else throw refuse(expected, `subject attribute ${type} is not allowed`);
    }
  }
  if (cns.length > 1) throw refuse(expected, 'more than one CN');
  const cn = cns[0];
  if (cn !== undefined && cn !== commonNameOf(expected)) throw refuse(expected, `CSR asks for CN "${cn}"`);
  const groups = expected.kind === 'user' ? [...expected.groups].sort() : [];
  if (os.length > 0 || groups.length > 0) {
    // A user CSR without O is fine (groups come from `expected`); one with O must match.
    const asked = [...os].sort();
    if (os.length > 0 && (asked.length !== groups.length || asked.some((g, i) => g !== groups[i]))) {
      throw refuse(expected, `CSR asks for groups ${asked.join(',')}`);
    }
  }
  return cn !== undefined;
}

/** Extensions may only restate what we would issue anyway: the one URI, clientAuth, not-a-CA. */
function checkExtensions(x509: typeof X509, csr: X509.Pkcs10CertificateRequest, expected: Identity, trustDomain: string): boolean {
  const uri = identityToUri(expected, trustDomain);
  let namedByUri = false;
  for (const ext of csr.extensions) {
    if (ext.type === OID_SAN) {
      const names = new x509.SubjectAlternativeNameExtension(ext.rawData).names.toJSON();
      if (names.length !== 1 || names[0]?.type !== 'url') throw refuse(expected, 'CSR asks for subject alternative names other than its identity URI');
      if (names[0].value !== uri) throw refuse(expected, `CSR asks for ${names[0].value.slice(0, 200)}`);
      namedByUri = true;
    } else if (ext.type === OID_EKU) {
      const usages = new x509.ExtendedKeyUsageExtension(ext.rawData).usages.map(String);
      const clientAuth: string = x509.ExtendedKeyUsage.clientAuth;
      if (usages.some((u) => u !== clientAuth)) throw refuse(expected, 'CSR asks for a purpose other than clientAuth');
    } else if (ext.type === OID_BASIC_CONSTRAINTS) {
      if (new x509.BasicConstraintsExtension(ext.rawData).ca) throw refuse(expected, 'CSR asks to be a CA');
    } else if (ext.type === OID_KEY_USAGE) {
      const allowed = x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment;
      if ((new x509.KeyUsagesExtension(ext.rawData).usages & ~allowed) !== 0) throw refuse(expected, 'CSR asks for key usages beyond digitalSignature');
    } else {
      throw refuse(expected, `CSR asks for extension ${ext.type}`);
    }
  }
  return namedByUri;
}

/** Parses, verifies and checks a CSR; returns it when it may be signed for `expected`. */
export async function checkCsr(csrPem: string, expected: Identity, trustDomain: string): Promise<X509.Pkcs10CertificateRequest> {
  const x509 = await loadX509();
  const csr = parseCsr(x509, csrPem, expected);
  for (const attr of csr.attributes) {
    if (attr.type !== OID_EXTENSION_REQUEST) throw refuse(expected, `CSR carries attribute ${attr.type}`);
  }
  let signatureOk: boolean;
  try {
    signatureOk = await csr.verify();
  } catch {
    signatureOk = false;
  }
  if (!signatureOk) throw refuse(expected, 'CSR signature does not verify');
  const keyProblem = refusedPublicKeyReason(Buffer.from(csr.publicKey.rawData));
  if (keyProblem) throw refuse(expected, keyProblem);
  const namedByCn = checkSubject(csr, expected);
  const namedByUri = checkExtensions(x509, csr, expected, trustDomain);
  if (!namedByCn && !namedByUri) throw refuse(expected, 'CSR names no identity (no CN, no URI SAN)');
  return csr;
}
