// Builds the agent's services from config, one class per type; unknown types with an
// `x-` prefix are plain HTTP services.
import { readFile } from 'node:fs/promises';
import { FerryError, messageOf } from '../../errors.js';
import type { ServiceConfig } from '../../config/agent-config.js';
import type { AgentService } from './agent-service.js';
import { HttpProxyService, type UpstreamTlsOptions } from './http-proxy.js';

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

export async function buildService(cfg: ServiceConfig): Promise<AgentService> {
  const tls = await upstreamTls(cfg);
  return new HttpProxyService({ type: cfg.type, name: cfg.name, url: cfg.url, annotations: cfg.annotations, tls });
}

export async function buildServices(configs: readonly ServiceConfig[]): Promise<AgentService[]> {
  const seen = new Set<string>();
  const out: AgentService[] = [];
  for (const cfg of configs) {
    const key = `${cfg.type}/${cfg.name}`;
    if (seen.has(key)) throw new FerryError('FERRY_ERR_BAD_CONFIG', `service ${key} is configured twice`);
    seen.add(key);
    out.push(await buildService(cfg));
  }
  return out;
}
