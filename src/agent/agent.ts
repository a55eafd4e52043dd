// The agent as a library: startAgent(config) dials the controller and serves its
// services; stop() drains in-flight requests first.
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { FerryError, messageOf } from '../errors.js';
import type { AgentConfig } from '../config/agent-config.js';
import { identityFromUri } from '../pki/identity.js';
import { createLogger, type Logger } from '../observability/logger.js';
import { logFnOf } from '../observability/log-fn.js';
import type { Registry } from 'prom-client';
import { codeClassOf, createMetrics, type FerryMetrics } from '../observability/metrics.js';
import { startOpsServer, type OpsServer } from '../observability/health-server.js';
import { ferryVersion } from '../version.js';
import type { Service } from '../tunnel/types.js';
import { startReverseListener } from '../reverse/index.js';
import type { AgentTlsMaterial } from './connector.js';
import { ReplicaConnectors } from './replica-connectors.js';
import { CertificateRenewer, ensureEnrolled } from './bootstrap.js';
import type { AgentService } from '../services/agent-service.js';
import { buildServices } from '../services/registry.js';
import type { ServiceTypeRegistry } from '../services/service-types.js';

export interface AgentOptions {
  logger?: Logger;
  /** The service types the agent's config may name; default: the built-in ones (and any x-…). */
  serviceTypes?: ServiceTypeRegistry;
  /** Where the agent's metrics are registered (default: a registry of its own). */
  metricsRegistry?: Registry;
}

export interface Agent {
  readonly name: string;
  readonly metrics: FerryMetrics;
  readonly metricsPort: number | undefined;
  /** Ports of the reverse-direction listeners, in config order. */
  readonly listenerPorts: number[];
  isConnected(): boolean;
  /** SIGHUP: services re-read their credentials; TLS material is re-read at every dial anyway. */
  reload(): Promise<void>;
  stop(graceMs?: number): Promise<void>;
}

export async function readTls(config: AgentConfig): Promise<AgentTlsMaterial> {
  const read = async (file: string, what: string) => {
    try {
      return await readFile(file, 'utf8');
    } catch (err) {
      throw new FerryError('FERRY_ERR_BAD_CONFIG', `cannot read the agent ${what} ${file}: ${messageOf(err)}`);
    }
  };
  return {
    caPem: await read(config.tls.ca, 'CA certificate'),
    certPem: await read(config.tls.cert, 'certificate'),
    keyPem: await read(config.tls.key, 'key'),
  };
}

/** The agent's name is the one its certificate carries. */
export function agentNameOf(certPem: string): string {
  const san = new X509Certificate(certPem).subjectAltName ?? '';
  for (const part of san.split(', ')) {
    if (!part.startsWith('URI:')) continue;
    const { identity } = identityFromUri(part.slice(4));
    if (identity.kind === 'agent') return identity.agent;
  }
  throw new FerryError('FERRY_ERR_CERT', 'the agent certificate carries no agent identity');
}

function describe(services: readonly AgentService[]): Service[] {
  return services.map((s) => ({ type: s.type, name: s.name, annotations: s.annotations, health: s.health() }));
}

export async function startAgent(config: AgentConfig, options: AgentOptions = {}): Promise<Agent> {
  const logger = options.logger ?? createLogger({ name: 'ferry-agent' });
  const log = logFnOf(logger);
  const metrics = createMetrics('agent', { version: ferryVersion(), registry: options.metricsRegistry });
  // FERRY_DEBUG=requests: one line per proxied request (no path or headers: those can carry secrets).
  const requestLog = logger.child({ subsystem: 'requests' });
  await ensureEnrolled(config, logFnOf(logger.child({ subsystem: 'bootstrap' })));
  const material = await readTls(config);
  const name = agentNameOf(material.certPem);
  if (config.name && config.name !== name) {
    throw new FerryError('FERRY_ERR_BAD_CONFIG', `${config.file}: name "${config.name}" differs from the certificate's agent "${name}"`);
  }
  const services = await buildServices(config.services, { agentName: name, log: logFnOf(logger.child({ subsystem: 'services' })) }, options.serviceTypes);
  const byKey = new Map(services.map((s) => [`${s.type}/${s.name}`, s]));

  // One session per live controller replica (one, for a single controller).
  const connector: ReplicaConnectors = new ReplicaConnectors({
    agentName: name,
    address: config.controller.address,
    serverName: config.controller.serverName,
    tls: () => readTls(config),
    services: () => describe(services),
    annotations: config.annotations,
    minIdleStreams: config.streams.minIdle,
    maxStreams: config.streams.max,
    runner: {
      findService: (type, n) => byKey.get(`${type}/${n}`),
      log: logFnOf(logger.child({ subsystem: 'runner' })),
      onRequestStart: () => metrics.openStreams.inc({ side: 'agent' }),
      onRequestDone: (type, status, seconds) => {
        requestLog.debug({ serviceType: type, status, seconds }, 'request done');
        metrics.openStreams.dec({ side: 'agent' });
        metrics.requests.inc({ service_type: type, code_class: status === 'error' ? 'error' : codeClassOf(status) });
        metrics.requestDuration.observe({ service_type: type }, seconds);
      },
      onBytes: (direction, n) => metrics.bytes.inc({ direction }, n),
    },
    log: logFnOf(logger.child({ subsystem: 'connector' })),
    onConnected: () => metrics.agentSessions.set(connector.sessions),
    onReconnect: () => metrics.reconnects.inc(),
    onStreamOpened: () => metrics.streamsOpened.inc(),
  });

  let stopping: Promise<void> | undefined;
  let ops: OpsServer | undefined;
  if (config.metrics) {
    ops = await startOpsServer({
      listen: config.metrics.listen,
      registry: metrics.registry,
      ready: () => {
        if (stopping) return { ready: false, reasons: ['draining: shutting down'] };
        return connector.connected
          ? { ready: true, reasons: ['connected to the controller'] }
          : { ready: false, reasons: ['not connected to a controller'] };
      },
    });
  }
  // Health changes travel to the controller, which routes only to healthy services.
  for (const s of services) s.onHealthChange?.(() => connector.updateServices());
  connector.start();
  // Enrolled agents keep their short-lived certificate fresh over the control stream.
  const renewer = config.bootstrap
    ? new CertificateRenewer({ agent: name, files: config.tls, renew: (csr) => connector.renew(csr), log: logFnOf(logger.child({ subsystem: 'bootstrap' })) })
    : undefined;
  const started = renewer
    ? await renewer.start().then(() => undefined, (err: unknown) => err)
    : undefined;
  const opened = await Promise.allSettled(
    config.listeners.map((l) =>
      startReverseListener({ ...l, openStream: () => connector.openReverseStream(), log: logFnOf(logger.child({ subsystem: 'reverse' })) }),
    ),
  );
  const listeners = opened.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
  const failed: unknown = started ?? opened.find((o): o is PromiseRejectedResult => o.status === 'rejected')?.reason;
  if (failed !== undefined) {
    // A start that fails (a listener's port taken) leaves nothing dialling or listening.
    renewer?.stop();
    await Promise.all(listeners.map((l) => l.close()));
    await connector.drain(0);
    await Promise.all(services.map((s) => s.close()));
    await ops?.close();
    throw failed instanceof Error ? failed : new FerryError('FERRY_ERR_INTERNAL', messageOf(failed));
  }
  log('info', 'agent started', { agent: name, controller: config.controller.address, services: [...byKey.keys()], metrics: ops?.port, listeners: listeners.map((l) => l.port) });

  return {
    name,
    metrics,
    metricsPort: ops?.port,
    listenerPorts: listeners.map((l) => l.port),
    isConnected: () => connector.connected,
    async reload() {
      // One service failing to reload keeps its old credential; the others still reload.
      const results = await Promise.allSettled(services.map((s) => (s.reload ? s.reload() : Promise.resolve())));
      const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [`${services[i]!.type}/${services[i]!.name}: ${messageOf(r.reason)}`] : []));
      for (const problem of failed) log('warn', 'service reload failed; keeping its previous credential', { problem });
      log('info', 'agent reloaded', { services: services.length, failed: failed.length });
      if (failed.length > 0) throw new FerryError('FERRY_ERR_BAD_CONFIG', `reload failed for ${failed.join('; ')}`);
    },
    stop(graceMs = config.shutdown.grace * 1000) {
      stopping ??= (async () => {
        metrics.drains.inc();
        renewer?.stop();
        await Promise.all(listeners.map((l) => l.close()));
        await connector.drain(graceMs);
        await Promise.all(services.map((s) => s.close()));
        await ops?.close();
        log('info', 'agent stopped', { agent: name });
      })();
      return stopping;
    },
  };
}
