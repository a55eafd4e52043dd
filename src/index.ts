// ferry as a library: what an application embedding a controller or an agent needs.
// Importing this module changes no global state and starts nothing; everything starts
// with a call (the x509 library and its crypto provider load on the first certificate).

// Running the two ends.
export { startController, type Controller, type ControllerOptions } from './controller/controller.js';
export { startAgent, type Agent } from './agent/agent.js';
import type { startAgent } from './agent/agent.js';
/** startAgent's second argument (its logger). */
export type AgentOptions = NonNullable<Parameters<typeof startAgent>[1]>;
export { waitForConnection } from './api/wait-for-connection.js';
export { issueServiceToken, type ServiceTarget } from './api/service-token.js';

// Config: from a YAML file (as the CLI reads it, with FERRY_* overrides) or from an object
// (same schema and problem wording; relative paths resolved against options.baseDir).
export { loadControllerConfig, loadAgentConfig, controllerConfigFromObject, agentConfigFromObject } from './api/config.js';
export { controllerConfigSchemaOf, type ControllerConfig, type ControllerConfigInput } from './config/controller-config.js';
export { agentConfigSchemaOf, type AgentConfig, type AgentConfigInput } from './config/agent-config.js';
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

// Errors: every ferry error carries a stable code; httpStatusOf maps it to an HTTP status.
export { FerryError, httpStatusOf, errorBody, type FerryErrorCode } from './errors.js';

// Logging: pass your own pino logger in the options, or make one the way ferry does.
export { createLogger, type CreateLoggerOptions, type Logger } from './observability/logger.js';

export { ferryVersion } from './version.js';

// --- Added by the lead after the seams merge -------------------------------------------
// The extension interfaces: front-door authenticators (Caller, Authenticator), the state
// store (Store, file-backed store), service types (the registry an embedder extends).
// ------------------------------------------------------------------------------------------
