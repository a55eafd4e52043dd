// Builds the agent's services from config, one class per type; custom `x-…` types are
// plain HTTP services with a credential kind. A missing credential does not stop the
// build: the service starts unhealthy and says why.
import { readFile } from 'node:fs/promises';
import { FerryError, messageOf } from '../errors.js';
import { SPINNAKER_TYPES, type ServiceConfig } from '../config/agent-config.js';
import type { AgentService } from './agent-service.js';
import { ArgoCdService } from './argocd.js';
import { AwsService } from './aws.js';
import { CredentialService } from './custom.js';
import type { UpstreamTlsOptions } from './http-proxy.js';
import { JenkinsService } from './jenkins.js';
import { KubernetesService, KubernetesUrlService } from './kubernetes.js';
import type { BaseService, ServiceContext } from './service-base.js';
import { SpinnakerService } from './spinnaker.js';

async function readOptional(file: string | undefined, what: string): Promise<string | undefined> {
  if (!file) return undefined;
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new FerryError('FERRY_ERR_BAD_CONFIG', `cannot read ${what} ${file}: ${messageOf(err)}`);
  }
}

export async function upstreamTls(cfg: ServiceConfig): Promise<UpstreamTlsOptions> {
  const t = cfg.tls;
  if (!t) return {};
  return {
    ca: await readOptional(t.caFile, 'CA file'),
    serverName: t.serverName,
    insecure: t.insecure,
    cert: await readOptional(t.certFile, 'client certificate'),
    key: await readOptional(t.keyFile, 'client key'),
  };
}

function defaultContext(ctx: Partial<ServiceContext>): ServiceContext {
  return {
    agentName: ctx.agentName ?? 'agent',
    log: ctx.log ?? (() => undefined),
    env: ctx.env ?? process.env,
    pollMs: ctx.pollMs ?? 10_000,
    probes: ctx.probes ?? true,
  };
}

function construct(cfg: ServiceConfig, ctx: ServiceContext, tls: UpstreamTlsOptions): BaseService {
  switch (cfg.type) {
    case 'kubernetes':
      return cfg.kubernetes ? new KubernetesService(cfg, ctx, tls) : new KubernetesUrlService(cfg, ctx, tls);
    case 'jenkins':
      return new JenkinsService(cfg, ctx, tls);
    case 'argocd':
      return new ArgoCdService(cfg, ctx, tls);
    case 'aws':
      return new AwsService(cfg, ctx, tls);
    default:
      if ((SPINNAKER_TYPES as readonly string[]).includes(cfg.type)) return new SpinnakerService(cfg, ctx, tls);
      return new CredentialService(cfg, ctx, tls);
  }
}

export async function buildService(cfg: ServiceConfig, context: Partial<ServiceContext> = {}): Promise<AgentService> {
  const ctx = defaultContext(context);
  const service = construct(cfg, ctx, await upstreamTls(cfg));
  await service.start();
  return service;
}

export async function buildServices(configs: readonly ServiceConfig[], context: Partial<ServiceContext> = {}): Promise<AgentService[]> {
  const seen = new Set<string>();
  const out: AgentService[] = [];
  try {
    for (const cfg of configs) {
      const key = `${cfg.type}/${cfg.name}`;
      if (seen.has(key)) throw new FerryError('FERRY_ERR_BAD_CONFIG', `service ${key} is configured twice`);
      seen.add(key);
      out.push(await buildService(cfg, context));
    }
  } catch (err) {
    // Stop the watchers and probes of those already built.
    await Promise.all(out.map((s) => s.close()));
    throw err;
  }
  return out;
}
