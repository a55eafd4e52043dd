// The agent's YAML config. Relative paths are read from the config file's folder.
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { durationSchema } from './duration.js';
import { listenSchema } from './listen.js';
import { loadConfigFile } from './load-yaml.js';

const serviceTlsSchema = z.strictObject({
  caFile: z.string().min(1).optional(),
  serverName: z.string().min(1).optional(),
  /** Skip upstream certificate checks; only when explicitly asked. */
  insecure: z.boolean().default(false),
  certFile: z.string().min(1).optional(),
  keyFile: z.string().min(1).optional(),
});

export const serviceConfigSchema = z.strictObject({
  type: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a DNS-safe name'),
  name: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a DNS-safe name'),
  url: z.string().min(1),
  tls: serviceTlsSchema.optional(),
  annotations: z.record(z.string(), z.string()).default({}),
});

export type ServiceConfig = z.infer<typeof serviceConfigSchema>;

export const agentConfigSchema = z.strictObject({
  /** Defaults to the name in the agent's certificate. */
  name: z.string().min(1).optional(),
  controller: z.strictObject({
    address: z.string().min(1),
    serverName: z.string().min(1).optional(),
  }),
  tls: z.strictObject({ cert: z.string().min(1), key: z.string().min(1), ca: z.string().min(1) }),
  annotations: z.record(z.string(), z.string()).default({}),
  streams: z
    .strictObject({
      minIdle: z.number().int().min(1).max(1024).default(8),
      max: z.number().int().min(1).max(100_000).default(20_000),
    })
    .prefault({}),
  shutdown: z.strictObject({ grace: durationSchema.default(30) }).prefault({}),
  metrics: z.strictObject({ listen: listenSchema }).optional(),
  services: z.array(serviceConfigSchema).default([]),
});

export type AgentConfig = z.infer<typeof agentConfigSchema> & { file: string };

export const AGENT_ENV = {
  CONTROLLER_ADDRESS: 'controller.address',
  CONTROLLER_SERVER_NAME: 'controller.serverName',
  AGENT_NAME: 'name',
} as const;

export async function loadAgentConfig(file: string, env: NodeJS.ProcessEnv = process.env): Promise<AgentConfig> {
  const raw = await loadConfigFile(file, agentConfigSchema, { env, envPrefix: 'FERRY_', envMap: AGENT_ENV });
  const base = dirname(resolve(file));
  const at = (p: string) => resolve(base, p);
  return {
    ...raw,
    file: resolve(file),
    tls: { cert: at(raw.tls.cert), key: at(raw.tls.key), ca: at(raw.tls.ca) },
    services: raw.services.map((s) => ({
      ...s,
      tls: s.tls && {
        ...s.tls,
        caFile: s.tls.caFile && at(s.tls.caFile),
        certFile: s.tls.certFile && at(s.tls.certFile),
        keyFile: s.tls.keyFile && at(s.tls.keyFile),
      },
    })),
  };
}
