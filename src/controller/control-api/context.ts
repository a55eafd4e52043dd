// Everything a control API endpoint may use, gathered once by the server.
import type { ControllerConfig } from '../../config/controller-config.js';
import type { LogFn } from '../../observability/log-fn.js';
import type { CertificateAuthority } from '../../pki/index.js';
import type { RevocationList, TokenIssuer, TokenKeyStore, TokenVerifier } from '../../tokens/index.js';
import type { SessionRegistry } from '../session-registry.js';
import type { AgentBook } from './agent-book.js';

export interface ControlUrls {
  /** Where clients reach the front door (kubeconfigs, service URLs). */
  frontDoor: string;
  /** Where operators and bootstrapping agents reach this API. */
  control: string;
  /** host:port agents dial. */
  agents: string;
}

export interface ControlContext {
  config: Pick<ControllerConfig, 'tokens' | 'agentCertificateTtl'>;
  ca: CertificateAuthority;
  issuer: TokenIssuer;
  verifier: TokenVerifier;
  keys: TokenKeyStore;
  revocations: RevocationList;
  registry: SessionRegistry;
  book: AgentBook;
  urls: ControlUrls;
  version: string;
  log: LogFn;
  /** Ends live agent connections made with this certificate serial; returns how many. */
  dropAgentCertificate: (serial: string) => number;
}

/** Who called: a control certificate or a control token. */
export interface ControlCaller {
  name: string;
  method: 'certificate' | 'token';
}

export interface EndpointRequest {
  body: unknown;
  caller: ControlCaller;
}
