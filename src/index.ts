// ferry as a library: what an application embedding a controller or an agent needs.
// Importing this module changes no global state and starts nothing; everything starts
// with a call (the x509 library and its crypto provider load on the first certificate).

// The two ends, each with its config loaders and the seams it offers; also importable
// alone as `ferry/controller` and `ferry/agent`.
export * from './api/controller.js';
export * from './api/agent.js';
export { defaultControllerConfig, defaultAgentConfig, saveConfig } from './api/config-files.js';
export type { ConfigObjectOptions } from './config/from-object.js';
export { ConfigError, formatProblem, type ConfigProblem } from './config/config-error.js';

// Certificates: a CA, agent/control/server certificates, the files `ferry make-ca` writes.
export {
  CertificateAuthority,
  createCA,
  loadCA,
  createCsr,
  writeSecretFile,
  writePublicFile,
  DEFAULT_TRUST_DOMAIN,
  DEFAULT_KEY_ALGORITHM,
  KEY_ALGORITHMS,
  identityToUri,
  identityFromUri,
  type CreateCAOptions,
  type IssueOptions,
  type IssuedCertificate,
  type ServerCertificateOptions,
  type Identity,
  type IdentityKind,
  type KeyAlgorithm,
  type ValidityOptions,
} from './pki/index.js';
export { writeCaFiles, type CaFilesOptions } from './pki/ca-files.js';

// Tokens the controller handle issues and verifies (controller.issuer / controller.verifier).
export { serviceAudience, controlAudience, kubectlAudience, bootstrapAudience, PURPOSES } from './tokens/claims.js';
export type { FerryClaims, TokenPurpose } from './tokens/claims.js';
export type { TokenIssuer, IssueRequest, IssuedToken } from './tokens/index.js';
export type { TokenVerifier } from './tokens/index.js';

// The docker registry token server as a library (Authenticator, Authorizer, TokenGenerator
// behind one handler an application mounts in its own server), and the password backends.
export {
  TokenServer,
  Acl,
  AclAuthorizer,
  JwtTokenGenerator,
  StoredRefreshTokens,
  parseScope,
  parseScopes,
  formatScope,
  type TokenServerOptions,
  type Access,
  type AclRule,
  type AclMatch,
  type AuthorizationRequest,
  type Authenticator as RegistryAuthenticator,
  type Authorizer as RegistryAuthorizer,
  type TokenGenerator as RegistryTokenGenerator,
  type GeneratedToken,
  type RefreshTokenStore,
  type RefreshRecord,
} from './registry/index.js';
export { StaticPasswords, type StaticUser } from './passwords/static-users.js';
export { HtpasswdPasswords } from './passwords/htpasswd.js';
export { PasswordChain } from './passwords/password-chain.js';
export { VaultKvPasswords, type VaultKvOptions } from './passwords/vault-kv.js';
export { WebhookPasswords } from './passwords/webhook-passwords.js';
export type { PasswordChecker, PasswordIdentity } from './passwords/types.js';

// Errors: every ferry error carries a stable code; httpStatusOf maps it to an HTTP status.
export { FerryError, httpStatusOf, errorBody, errorAnswer, ferryJsonShape, type FerryErrorCode, type ErrorShape, type ErrorAnswer, type ErrorAnswerOptions } from './errors.js';

// Logging: pass your own pino logger in the options, or make one the way ferry does.
export { createLogger, type CreateLoggerOptions, type Logger } from './observability/logger.js';

export { ferryVersion } from './version.js';
