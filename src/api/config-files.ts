// Configs an embedder builds in code: every default filled in, then saved as the YAML the
// CLI reads (a saved file loads back to the same config).
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { stringify } from 'yaml';
import type { AgentConfig } from '../config/agent-config.js';
import type { ControllerConfig } from '../config/controller-config.js';
import { writePublicFile } from '../files/atomic-files.js';
import type { ServiceConfig } from '../services/service-config.js';
import { agentConfigFromObject } from './agent.js';
import { controllerConfigFromObject } from './controller.js';

/** A controller config with every default; the CA as `make-ca` names it, in `baseDir`. */
export function defaultControllerConfig(baseDir: string = process.cwd()): ControllerConfig<ServiceConfig> {
  return controllerConfigFromObject({ ca: { cert: 'ca.crt', key: 'ca.key' } }, { baseDir, label: '<default controller config>' });
}

/** An agent config with every default, dialling a controller on this machine with `make-ca`'s file names. */
export function defaultAgentConfig(baseDir: string = process.cwd()): AgentConfig<ServiceConfig> {
  return agentConfigFromObject(
    { controller: { address: 'localhost:9001', serverName: 'localhost' }, tls: { cert: 'agent.crt', key: 'agent.key', ca: 'ca.crt' } },
    { baseDir, label: '<default agent config>' },
  );
}

/** Writes `config` as YAML (atomically, 0644); paths stay absolute, so the file may live anywhere. */
export async function saveConfig(file: string, config: ControllerConfig | AgentConfig): Promise<void> {
  const { file: _from, ...rest } = config;
  await mkdir(dirname(file), { recursive: true });
  await writePublicFile(file, stringify(asWritten(rest)));
}

// A resolved config holds listen addresses as {host, port}; the file form is "host:port".
function asWritten(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(asWritten);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  const keys = entries.map(([k]) => k).sort().join(',');
  if (keys === 'host,port') {
    const { host, port } = value as { host: string; port: number };
    return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, asWritten(v)]));
}
