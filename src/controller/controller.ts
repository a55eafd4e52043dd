// The controller as a library: startController(config) brings up the agent endpoint,
// the front door and the ops port, and returns a handle to stop them gracefully.
import type { PeerCertificate } from 'node:tls';
import { FerryError } from '../errors.js';
import type { ControllerConfig } from '../config/controller-config.js';
import { frontDoorLimitsOf } from '../config/limits-config.js';
import { loadCA, notAfterOf, verifyPeerCertificate, type CertificateAuthority } from '../pki/index.js';
import { TokenIssuer, TokenVerifier, type RevocationList, type TokenKeyStore } from '../tokens/index.js';
import { createLogger, type Logger } from '../observability/logger.js';
import { logFnOf } from '../observability/log-fn.js';
import type { Registry } from 'prom-client';
import { codeClassOf, createMetrics, type FerryMetrics } from '../observability/metrics.js';
import { startOpsServer, type OpsServer } from '../observability/health-server.js';
import { ferryVersion } from '../version.js';
import { startAgentServer, type AgentServer } from './agent-server.js';
import {
  CertificateAuthenticator,
  startFrontDoor,
  TokenAuthenticator,
  type Authenticator,
  type Authoriser,
  type FrontDoor,
  type LocalHandler,
  type RouteResolver,
} from './front-door/index.js';
import { openControllerState } from './controller-state.js';
import { webhookPasswordsOf, webhookSeams, type WebhookSeams } from './front-door/webhook-seams.js';
import { peopleSeams, type PeopleSeams } from './login/people-seams.js';
import type { StateStore } from '../state/index.js';
import { countIssuance } from './issuance-metrics.js';
import { ReverseServices } from '../reverse/index.js';
import { SessionRegistry } from './session-registry.js';
import { defaultReplicaId, ReplicaRegistry } from './replicas/replica-registry.js';
import { registrySeams, type RegistrySeams } from './registry-seams.js';
import { VerifiedCertificates } from './verified-certificates.js';
import { signAgentCertificate, startControlPlane, type ControlApi, type ControlRouteMount } from './control-api/index.js';

export interface ControllerOptions {
  logger?: Logger;
  /** Extra front-door authenticators tried before the built-in ones (OIDC, webhooks). */
  authenticators?: Authenticator[];
  /** Front-door route resolvers tried before the built-in one (the credential's route). */
  routes?: RouteResolver[];
  /** Front-door policies asked after the built-in one (a credential bound to a route opens that route only). */
  authorisers?: Authoriser[];
  /** Front-door local handlers (an OIDC login, a registry's /auth, a status page). */
  handlers?: LocalHandler[];
  /** Control API routes added to the built-in table. */
  controlRoutes?: ControlRouteMount[];
  /** The state store (revocations, token keys, agent book); default: a file store in config.dataDir.
   *  An embedder's store is left open when the controller stops. */
  store?: StateStore;
  /** Where the controller's metrics are registered (default: a registry of its own, served on the ops port). */
  metricsRegistry?: Registry;
}

export interface Controller {
  readonly ca: CertificateAuthority;
  readonly registry: SessionRegistry;
  readonly metrics: FerryMetrics;
  readonly issuer: TokenIssuer;
  readonly verifier: TokenVerifier;
  readonly keys: TokenKeyStore;
  readonly revocations: RevocationList;
  readonly ports: { agents: number; frontDoor: number; metrics: number; control: number };
  /** SIGHUP: re-read token keys and revocations. */
  reload(): Promise<void>;
  /** Graceful: stop accepting, tell agents, let in-flight requests finish, then close. */
  stop(graceMs?: number): Promise<void>;
}

export async function startController(config: ControllerConfig, options: ControllerOptions = {}): Promise<Controller> {
  const logger = options.logger ?? createLogger({ name: 'ferry-controller' });
  const log = logFnOf(logger);
  const metrics = createMetrics('controller', { version: ferryVersion(), registry: options.metricsRegistry });
  // FERRY_DEBUG=requests: one line per proxied request (no path or headers: those can carry secrets).
  const requestLog = logger.child({ subsystem: 'requests' });

  const ca = await loadCA(config.ca.cert, config.ca.key);
  const replicaId = config.replica.id ?? defaultReplicaId();
  const stored = await openControllerState(config, ca, logFnOf(logger.child({ subsystem: 'state' })), options.store, replicaId);
  const { revocations, keys } = stored;
  let replicas: ReplicaRegistry;
  try {
    replicas = await ReplicaRegistry.start({
      store: stored.store,
      id: replicaId,
      heartbeatMs: config.replica.heartbeat * 1000,
      timeoutMs: config.replica.timeout * 1000,
      log: logFnOf(logger.child({ subsystem: 'replicas' })),
    });
  } catch (err) {
    await stored.close();
    throw err;
  }
  const issuer = new TokenIssuer(keys);
  countIssuance(ca, issuer, metrics);
  const verifier = new TokenVerifier(keys, { revocations });

  const { dnsNames, ipAddresses } = splitNames(config.frontDoor.serverNames);
  const serverCert = await ca.issueServer({ dnsNames, ipAddresses });

  const verifiedCerts = new VerifiedCertificates((raw) => ({
    identity: verifyPeerCertificate(raw, ca, { purpose: 'client' }),
    notAfter: notAfterOf(raw),
  }));
  const checkClientCert = (raw: Uint8Array, serial: string) => {
    if (revocations.isSerialRevoked(serial)) throw new FerryError('FERRY_ERR_CERT', 'certificate revoked');
    return verifiedCerts.check(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength));
  };

  const registry = new SessionRegistry();
  const seenAgents = new Set<string>();
  registry.on('change', () => {
    metrics.agentSessions.set(registry.sessions().length);
    const now = new Set(registry.connectedAgents());
    for (const agent of seenAgents) if (!now.has(agent)) metrics.agentsConnected.remove({ agent });
    for (const agent of now) metrics.agentsConnected.set({ agent }, registry.sessionsOf(agent).length);
    seenAgents.clear();
    for (const agent of now) seenAgents.add(agent);
  });

  let state: 'starting' | 'serving' | 'draining' = 'starting';
  const reverse = await ReverseServices.build(config.reverse, logFnOf(logger.child({ subsystem: 'reverse' })));
  let agents: AgentServer | undefined;
  let frontDoor: FrontDoor | undefined;
  let ops: OpsServer | undefined;
  let control: ControlApi | undefined;
  let webhooks: WebhookSeams | undefined;
  let people: PeopleSeams | undefined;
  let registrySeam: RegistrySeams | undefined;
  try {
    agents = await startAgentServer({
      host: config.agents.listen.host,
      port: config.agents.listen.port,
      caPem: ca.certPem,
      certPem: serverCert.certPem,
      keyPem: serverCert.keyPem,
      registry,
      verifyAgentCertificate: (peer) => checkClientCert(peer.raw, peer.serialNumber),
      renewCertificate: async (agent, serial, csrPem) => {
        if (revocations.isSerialRevoked(serial)) throw new FerryError('FERRY_ERR_CERT', 'certificate revoked');
        const cert = await signAgentCertificate(ca, agent, csrPem, config.agentCertificateTtl);
        log('info', 'agent certificate renewed', { agent, serial: cert.serial, notAfter: cert.notAfter.toISOString() });
        return cert.certPem;
      },
      serveReverse: (agent, stream, head) => reverse.serve(agent, stream, head),
      limits: { maxIdleStreams: config.streams.maxIdlePerSession, streamWaitMs: config.streams.waitTimeout * 1000 },
      agentLimits: config.agents.limits,
      replicas: { id: replicas.id, live: () => replicas.live() },
      log: logFnOf(logger.child({ subsystem: 'agents' })),
    });
    const announce = agents.announceReplicas.bind(agents);
    replicas.on('change', announce);
    webhooks = await webhookSeams(config.webhooks, ca.certPem, logFnOf(logger.child({ subsystem: 'webhooks' })));
    const oidcLog = logFnOf(logger.child({ subsystem: 'oidc' }));
    // login.webhook: /access-token asks the auth webhook's /password after LDAP (issue 14).
    const loginWebhook = config.login?.webhook ? [await webhookPasswordsOf(config.webhooks, 'login.webhook', ca.certPem, oidcLog)] : [];
    people = await peopleSeams(config, { issuer, verifier, issuerName: keys.issuer, caPem: ca.certPem, log: oidcLog, passwordCheckers: loginWebhook });
    const frontDoorAuthenticators: Authenticator[] = [];
    registrySeam = await registrySeams(config.registry, {
      issuer,
      keys,
      revocations,
      store: stored.store,
      webhooks: config.webhooks,
      caPem: ca.certPem,
      publicUrl: config.frontDoor.publicUrl,
      frontDoorAuthenticators: () => frontDoorAuthenticators,
      log: logFnOf(logger.child({ subsystem: 'registry' })),
    });
    const authenticators: Authenticator[] = [
      ...(options.authenticators ?? []),
      ...registrySeam.authenticators,
      // ID tokens and login tokens (issue 19): a token of another issuer passes on.
      ...people.authenticators,
      // Before ferry's token: it would take a Basic password for a malformed ferry JWT.
      ...webhooks.authenticators,
      new CertificateAuthenticator((cert: PeerCertificate) => checkClientCert(cert.raw, cert.serialNumber)),
      new TokenAuthenticator(verifier),
    ];
    frontDoorAuthenticators.push(...authenticators.filter((a) => !registrySeam?.authenticators.includes(a)));
    frontDoor = await startFrontDoor({
      host: config.frontDoor.listen.host,
      port: config.frontDoor.listen.port,
      certPem: serverCert.certPem,
      keyPem: serverCert.keyPem,
      caPem: ca.certPem,
      registry,
      authenticators,
      resolvers: options.routes,
      authorisers: [...(options.authorisers ?? []), ...webhooks.authorisers, ...people.authorisers],
      handlers: [...(options.handlers ?? []), ...people.handlers, ...registrySeam.handlers],
      log: logFnOf(logger.child({ subsystem: 'frontdoor' })),
      onRequestStart: () => metrics.openStreams.inc({ side: 'controller' }),
      onRequestDone: (type, status, seconds) => {
        requestLog.debug({ serviceType: type, status, seconds }, 'request done');
        metrics.openStreams.dec({ side: 'controller' });
        metrics.requests.inc({ service_type: type, code_class: status === 'error' ? 'error' : codeClassOf(status) });
        metrics.requestDuration.observe({ service_type: type }, seconds);
      },
      onBytes: (direction, n) => metrics.bytes.inc({ direction }, n),
      onAuthFailure: (reason) => metrics.authFailures.inc({ reason: authFailureClass(reason) }),
      limits: frontDoorLimitsOf(config.frontDoor.limits),
    });
    ops = await startOpsServer({
      listen: config.metrics.listen,
      registry: metrics.registry,
      // Ready once every listener is up (the CA loaded before any of them) and until a
      // drain begins, so a load balancer stops sending new clients to a stopping replica.
      ready: () =>
        state === 'serving'
          ? { ready: true, reasons: ['listeners up, CA loaded', `${registry.sessions().length} agent sessions`] }
          : { ready: false, reasons: [state === 'starting' ? 'starting: listeners not all up yet' : 'draining: shutting down'] },
    });
    const agentServer = agents;
    control = await startControlPlane({
      config,
      ca,
      issuer,
      verifier,
      keys,
      revocations,
      book: stored.book,
      registry,
      serverCert,
      checkCertificate: checkClientCert,
      dropAgentCertificate: (serial) => agentServer.dropCertificate(serial),
      ports: { agents: agents.port, frontDoor: frontDoor.port },
      version: ferryVersion(),
      routes: [...(options.controlRoutes ?? []), ...registrySeam.controlRoutes],
      log: logFnOf(logger.child({ subsystem: 'control' })),
    });
  } catch (err) {
    await frontDoor?.close(0);
    await agents?.close();
    await ops?.close();
    await control?.close();
    await reverse.close();
    await webhooks?.close();
    await people?.close();
    await replicas.stop();
    await registrySeam?.close();
    await stored.close();
    throw err;
  }
  state = 'serving';
  log('info', 'controller started', {
    agents: agents.port,
    frontDoor: frontDoor.port,
    metrics: ops.port,
    control: control.port,
    trustDomain: ca.trustDomain,
    replica: replicas.id,
    replicas: replicas.live(),
  });

  const a = agents;
  const f = frontDoor;
  const w = webhooks;
  const rs = registrySeam;
  const o = ops;
  const c = control;
  let stopping: Promise<void> | undefined;
  return {
    ca,
    registry,
    metrics,
    issuer,
    verifier,
    keys,
    revocations,
    ports: { agents: a.port, frontDoor: f.port, metrics: o.port, control: c.port },
    // SIGHUP: token keys (a rotated or added key verifies from now on, the newest signs)
    // and the revocation list (another replica may have revoked something).
    reload: async () => {
      await Promise.all([keys.reload(), revocations.reload()]);
      log('info', 'controller reloaded', { tokenKeys: keys.keys().length });
    },
    stop(graceMs = config.shutdown.grace * 1000) {
      stopping ??= (async () => {
        state = 'draining';
        log('info', 'controller stopping', { graceMs });
        metrics.drains.inc();
        // Leave the replica set first: agents stop dialling back to a replica that is going.
        await replicas.stop();
        a.drainAll('controller shutting down');
        await f.close(graceMs);
        await a.close();
        await o.close();
        await c.close();
        await reverse.close();
        await w?.close();
        await people?.close();
        await rs?.close();
        await stored.close();
        log('info', 'controller stopped');
      })();
      return stopping;
    },
  };
}

/** Low-cardinality label for auth failures. */
function authFailureClass(reason: string): string {
  if (reason.includes('expired')) return 'expired';
  if (reason.includes('revoked')) return 'revoked';
  if (reason.includes('audience')) return 'audience';
  if (reason.includes('no credentials')) return 'missing';
  if (reason.includes('certificate')) return 'certificate';
  return 'invalid';
}

function splitNames(names: readonly string[]): { dnsNames: string[]; ipAddresses: string[] } {
  const ip = /^(\d{1,3}\.){3}\d{1,3}$|:/;
  return { dnsNames: names.filter((n) => !ip.test(n)), ipAddresses: names.filter((n) => ip.test(n)) };
}
