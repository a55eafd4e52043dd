// The CA object: holds the CA key in memory and issues every certificate ferry uses.
import { createPublicKey, X509Certificate as NodeX509Certificate, type KeyObject } from 'node:crypto';
import { FerryError } from '../errors.js';
import { DEFAULT_KEY_ALGORITHM, exportPrivateKeyPem, generateKeyPair, spkiDer, toWebCryptoPair, webSigningAlgorithm, type KeyAlgorithm } from './algorithms.js';
import { buildLeaf, keyIdOf, subjectDerOf, type SanEntry, type Signer } from './certificate-builder.js';
import { checkCsr } from './csr.js';
import { assertTrustDomain, assertValidIdentity, DEFAULT_TRUST_DOMAIN, identityToUri, trustDomainUri, type Identity } from './identity.js';
import { ipToBytes } from './ip-address.js';
import { toPem } from './pem.js';
import { OID_CN, OID_O, subjectOf } from './subject.js';
import { randomSerial, validityWindow, type ValidityOptions } from './validity.js';
import { loadX509 } from './x509-provider.js';

export interface IssuedCertificate {
  certPem: string;
  keyPem: string;
  /** Lowercase hex, as serialOf() returns it. */
  serial: string;
}

export interface IssueOptions extends ValidityOptions {
  algorithm?: KeyAlgorithm;
}

export interface ServerCertificateOptions extends IssueOptions {
  dnsNames: string[];
  ipAddresses?: string[];
}

export interface CreateCAOptions {
  commonName?: string;
  trustDomain?: string;
  algorithm?: KeyAlgorithm;
  validityDays?: number;
  notBefore?: Date;
  notAfter?: Date;
}

// Leaf lifetimes: long enough that a demo install does not expire under the user,
// short enough to matter. Operators override with validityDays.
const DEFAULT_LEAF_DAYS = 365;
const DEFAULT_CA_DAYS = 3650;

const DNS_NAME = /^(\*\.)?[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

export class CertificateAuthority {
  readonly certPem: string;
  readonly keyPem: string;
  readonly trustDomain: string;
  /** Parsed by Node's native X.509 code: used on the hot path (peer verification). */
  readonly nodeCert: NodeX509Certificate;
  readonly #signer: Signer;

  /** Use createCA() or loadCA(); this only assembles already-checked parts. */
  constructor(parts: { certDer: Buffer; key: KeyObject; keyId?: Buffer; trustDomain: string }) {
    this.certPem = toPem('CERTIFICATE', parts.certDer);
    this.keyPem = exportPrivateKeyPem(parts.key);
    this.trustDomain = parts.trustDomain;
    this.nodeCert = new NodeX509Certificate(parts.certDer);
    this.#signer = {
      issuerDer: subjectDerOf(parts.certDer),
      key: parts.key,
      keyId: parts.keyId ?? keyIdOf(spkiDer(parts.key)),
    };
  }

  /** A TLS server certificate (serverAuth) for the controller: DNS + IP SANs plus its URI identity. */
  async issueServer(opts: ServerCertificateOptions): Promise<IssuedCertificate> {
    const ips = opts.ipAddresses ?? [];
    if (opts.dnsNames.length === 0 && ips.length === 0) {
      throw new FerryError('FERRY_ERR_BAD_INPUT', 'a server certificate needs at least one DNS name or IP address');
    }
    const sans: SanEntry[] = [];
    for (const value of opts.dnsNames) {
      if (value.length > 253 || !DNS_NAME.test(value)) throw new FerryError('FERRY_ERR_BAD_INPUT', `invalid DNS name "${value}"`);
      sans.push({ type: 'dns', value });
    }
    for (const ip of ips) {
      const bytes = ipToBytes(ip);
      if (!bytes) throw new FerryError('FERRY_ERR_BAD_INPUT', `invalid IP address "${ip}"`);
      sans.push({ type: 'ip', bytes });
    }
    sans.push({ type: 'uri', value: identityToUri({ kind: 'controller' }, this.trustDomain) });
    const commonName = opts.dnsNames[0] ?? ips[0] ?? 'ferry-controller';
    return this.#issueWithNewKey([{ type: 'CN', value: commonName }], sans, 'server', opts);
  }

  /** A client certificate (clientAuth) for an identity; the key is generated here. */
  async issueClient(identity: Identity, opts: IssueOptions = {}): Promise<IssuedCertificate> {
    const uri = identityToUri(identity, this.trustDomain);
    return this.#issueWithNewKey(subjectOf(identity), [{ type: 'uri', value: uri }], 'client', opts);
  }

  async #issueWithNewKey(
    subject: ReturnType<typeof subjectOf>,
    sans: SanEntry[],
    purpose: 'client' | 'server',
    opts: IssueOptions,
  ): Promise<IssuedCertificate> {
    const window = validityWindow(opts, DEFAULT_LEAF_DAYS);
    const keys = await generateKeyPair(opts.algorithm ?? DEFAULT_KEY_ALGORITHM);
    const serial = randomSerial();
    const der = buildLeaf({ serial, subject, spki: spkiDer(keys.publicKey), sans, purpose, ...window }, this.#signer);
    return { certPem: toPem('CERTIFICATE', der), keyPem: exportPrivateKeyPem(keys.privateKey), serial };
  }

  /**
   * A signing-only certificate (digitalSignature, no TLS EKU) for a key held elsewhere, such
   * as a token-signing key: its JWTs then carry `x5c` = [this certificate, the CA].
   */
  certifyPublicKey(publicKeyPem: string, commonName: string, opts: ValidityOptions = {}): { certPem: string; serial: string } {
    const window = validityWindow(opts, DEFAULT_LEAF_DAYS);
    const serial = randomSerial();
    const spki = createPublicKey(publicKeyPem).export({ type: 'spki', format: 'der' });
    const der = buildLeaf({ serial, subject: [{ type: 'CN', value: commonName }], spki, sans: [], purpose: 'signing', ...window }, this.#signer);
    return { certPem: toPem('CERTIFICATE', der), serial };
  }

  /**
   * Signs a CSR for `expected` after checking what it asks for. Only the CSR's public
   * key is used: subject, SAN and extensions of the result come from `expected`.
   */
  async signCsr(csrPem: string, expected: Identity, opts: ValidityOptions = {}): Promise<{ certPem: string; serial: string }> {
    assertValidIdentity(expected);
    const window = validityWindow(opts, DEFAULT_LEAF_DAYS);
    const csr = await checkCsr(csrPem, expected, this.trustDomain);
    const serial = randomSerial();
    const der = buildLeaf(
      {
        serial,
        subject: subjectOf(expected),
        spki: Buffer.from(csr.publicKey.rawData),
        sans: [{ type: 'uri', value: identityToUri(expected, this.trustDomain) }],
        purpose: 'client',
        ...window,
      },
      this.#signer,
    );
    return { certPem: toPem('CERTIFICATE', der), serial };
  }
}

/** A fresh self-signed CA. Its own URI SAN (spiffe://<trust domain>) records the trust domain. */
export async function createCA(opts: CreateCAOptions = {}): Promise<CertificateAuthority> {
  const trustDomain = opts.trustDomain ?? DEFAULT_TRUST_DOMAIN;
  assertTrustDomain(trustDomain);
  const commonName = opts.commonName ?? 'ferry CA';
  if (commonName.length === 0 || commonName.length > 64 || /\p{Cc}/u.test(commonName)) {
    throw new FerryError('FERRY_ERR_BAD_INPUT', 'CA common name must be 1-64 printable characters');
  }
  const { notBefore, notAfter } = validityWindow(opts, DEFAULT_CA_DAYS);
  const native = await generateKeyPair(opts.algorithm ?? DEFAULT_KEY_ALGORITHM);
  const keys = await toWebCryptoPair(native);
  const keyId = keyIdOf(spkiDer(native.publicKey));
  // Made once per installation, so the generic (slower) library path is fine here.
  const x509 = await loadX509();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: new x509.Name([{ [OID_CN]: [commonName] }, { [OID_O]: ['ferry'] }]),
    notBefore,
    notAfter,
    keys,
    signingAlgorithm: webSigningAlgorithm(native.privateKey),
    extensions: [
      // pathLength 0: this CA signs leaves only, never another CA.
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      new x509.SubjectKeyIdentifierExtension(keyId.toString('hex')),
      new x509.SubjectAlternativeNameExtension([{ type: 'url', value: trustDomainUri(trustDomain) }], false),
    ],
  });
  return new CertificateAuthority({ certDer: Buffer.from(cert.rawData), key: native.privateKey, keyId, trustDomain });
}
