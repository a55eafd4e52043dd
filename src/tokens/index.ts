// Public API of ferry's JWT support: claims, key store with rotation, issue, verify, revocation.
export type { FerryClaims, TokenPurpose } from './claims.js';
export { PURPOSES, bootstrapAudience, controlAudience, kubectlAudience, serviceAudience } from './claims.js';
export { jwkThumbprint, libtrustKeyId } from './key-id.js';
export type { TokenKey } from './token-key.js';
export type { TokenKeyStoreOptions } from './key-store.js';
export type { Certify } from './key-certification.js';
export { needsCertificate } from './key-certification.js';
export { TokenKeyStore } from './key-store.js';
export type { IssueRequest, IssuedToken, KidForm, SignOptions, TokenIssuerOptions } from './issuer.js';
export { TokenIssuer } from './issuer.js';
export type { TokenVerifierOptions, VerifyOptions } from './verifier.js';
export { TokenVerifier } from './verifier.js';
export type { RevocationListOptions, RevokedJti, RevokedSerial, Revocations } from './revocations.js';
export { RevocationList, normalizeSerial } from './revocations.js';
