// Wires the control API into a running controller: its state file, the URLs it writes
// into credentials, and the server itself.
import { join } from 'node:path';
import type { ControllerConfig } from '../../config/controller-config.js';
import { AgentBook } from './agent-book.js';
import type { CertificateCheck } from './auth.js';
import type { ControlContext, ControlUrls } from './context.js';
import type { ControlRouteMount } from './routes.js';
import { startControlApi, type ControlApi } from './server.js';

/** What the controller hands over: the shared parts of the control context, plus the rest. */
export interface ControlPlaneParts
  extends Pick<ControlContext, 'ca' | 'issuer' | 'verifier' | 'keys' | 'revocations' | 'registry' | 'version' | 'log' | 'dropAgentCertificate'> {
  config: ControllerConfig;
  serverCert: { certPem: string; keyPem: string };
  checkCertificate: CertificateCheck;
  ports: { agents: number; frontDoor: number };
  routes?: readonly ControlRouteMount[];
  /** The agent book in the controller's state store; without one, agents.json in the data dir. */
  book?: AgentBook;
}

/** The host clients use: from frontDoor.publicUrl, else localhost (in the default server certificate). */
function publicHost(config: ControllerConfig): string {
  return config.frontDoor.publicUrl ? new URL(config.frontDoor.publicUrl).hostname : 'localhost';
}

export async function startControlPlane(parts: ControlPlaneParts): Promise<ControlApi> {
  const { config } = parts;
  const host = publicHost(config);
  const urls: ControlUrls = {
    frontDoor: config.frontDoor.publicUrl?.replace(/\/$/, '') ?? `https://${host}:${parts.ports.frontDoor}`,
    control: '',
    agents: `${host}:${parts.ports.agents}`,
  };
  const context: ControlContext = {
    config,
    ca: parts.ca,
    issuer: parts.issuer,
    verifier: parts.verifier,
    keys: parts.keys,
    revocations: parts.revocations,
    registry: parts.registry,
    book: parts.book ?? (await AgentBook.open(join(config.dataDir, 'agents.json'))),
    urls,
    version: parts.version,
    log: parts.log,
    dropAgentCertificate: parts.dropAgentCertificate,
  };
  const api = await startControlApi({
    host: config.control.listen.host,
    port: config.control.listen.port,
    certPem: parts.serverCert.certPem,
    keyPem: parts.serverCert.keyPem,
    caPem: parts.ca.certPem,
    context,
    checkCertificate: parts.checkCertificate,
    routes: parts.routes,
  });
  urls.control = `https://${host.includes(':') ? `[${host}]` : host}:${api.port}`;
  return api;
}
