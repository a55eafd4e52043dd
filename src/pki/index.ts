// Public API of ferry's certificate authority.
export type { KeyAlgorithm } from './key-algorithm.js';
export { DEFAULT_KEY_ALGORITHM, KEY_ALGORITHMS, isKeyAlgorithm, parseKeyAlgorithm } from './key-algorithm.js';
export type { Identity, IdentityKind } from './identity.js';
export {
  DEFAULT_TRUST_DOMAIN,
  assertDnsSafeName,
  assertTrustDomain,
  assertValidIdentity,
  commonNameOf,
  describeIdentity,
  identityFromUri,
  identityToUri,
  isDnsSafeName,
  isGroupName,
  isTrustDomain,
  sameIdentity,
} from './identity.js';
export type { CreateCAOptions, IssueOptions, IssuedCertificate, ServerCertificateOptions } from './certificate-authority.js';
export { CertificateAuthority, createCA } from './certificate-authority.js';
export type { Purpose } from './certificate-builder.js';
export type { ValidityOptions } from './validity.js';
export { loadCA } from './load-ca.js';
export { createCsr } from './csr.js';
export type { VerifyOptions } from './verify.js';
export { notAfterOf, serialOf, verifyPeerCertificate } from './verify.js';
export type { FileToWrite } from '../files/atomic-files.js';
export { PUBLIC_MODE, SECRET_MODE, ensureWritableDir, writeFilesAtomically, writePublicFile, writeSecretFile } from '../files/atomic-files.js';
export type { TlsSecretInput } from './kubernetes-secret.js';
export { tlsSecretYaml } from './kubernetes-secret.js';
export { ferryCiphers } from './tls-ciphers.js';
