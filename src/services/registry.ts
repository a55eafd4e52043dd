// Builds services from config entries through the type registry (built-ins unless an
// embedder hands its own). A missing credential does not stop the build: the service
// starts unhealthy and says why.
import { readFile } from 'node:fs/promises';
import { FerryError, messageOf } from '../errors.js';
import type { AgentService } from './agent-service.js';
import { defaultServiceTypes } from './default-types.js';
import type { UpstreamTlsOptions } from './http-proxy.js';
import type { ServiceContext } from './service-base.js';
import type { ServiceConfig } from './service-config.js';
import type { ServiceTypeRegistry } from './service-types.js';

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

export async function buildService(
  cfg: ServiceConfig,
  context: Partial<ServiceContext> = {},
  types: ServiceTypeRegistry = defaultServiceTypes(),
): Promise<AgentService> {
  const def = types.find(cfg.type);
  if (!def) throw new FerryError('FERRY_ERR_BAD_CONFIG', `unknown service type "${cfg.type}"`);
  const service = def.create(cfg, defaultContext(context), await upstreamTls(cfg));
  await service.start?.();
  return service;
}

/** Builds each entry (validated by the loader: `entries` are any config's service list). */
export async function buildServices(
  entries: readonly { type: string; name: string }[],
  context: Partial<ServiceContext> = {},
  types: ServiceTypeRegistry = defaultServiceTypes(),
): Promise<AgentService[]> {
  const seen = new Set<string>();
  const out: AgentService[] = [];
  try {
    for (const entry of entries) {
      const key = `${entry.type}/${entry.name}`;
      if (seen.has(key)) throw new FerryError('FERRY_ERR_BAD_CONFIG', `service ${key} is configured twice`);
      seen.add(key);
      // Entries passed validation when loaded; parsing again types them (defaults are idempotent).
      out.push(await buildService(types.configSchema.parse(entry), context, types));
    }
  } catch (err) {
    // Stop the watchers and probes of those already built.
    await Promise.all(out.map((s) => s.close()));
    throw err;
  }
  return out;
}
