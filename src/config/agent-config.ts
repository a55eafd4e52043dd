// The agent's YAML config. Relative paths are read from the config file's folder.
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { durationSchema } from './duration.js';
import { DEFAULT_CONFIG_LABEL, parseConfigObject, type ConfigObjectOptions } from './from-object.js';
import { listenSchema } from './listen.js';
import { loadConfigFile } from './load-yaml.js';

/** Where a secret comes from; never a literal value in the config file. */
export const secretSourceSchema = z
  .strictObject({
    /** A file; re-read when it changes. */
    file: z.string().min(1).optional(),
    /** An environment variable of the agent process. */
    env: z.string().min(1).optional(),
    /** A mounted Kubernetes Secret: one file per key in `dir`; re-read when the mount is swapped. */
    secret: z.strictObject({ dir: z.string().min(1), key: z.string().min(1) }).optional(),
  })
  .refine((s) => [s.file, s.env, s.secret].filter((v) => v !== undefined).length === 1, 'give exactly one of file, env or secret');

export type SecretSource = z.infer<typeof secretSourceSchema>;

/** A service entry as config knows it; the entry's schema comes from the service-type registry. */
export interface ServiceEntry {
  type: string;
  name: string;
}

/** What the loader needs for the `services` list (src/services' ServiceTypeRegistry is one). */
export interface ServiceSchemas<S extends ServiceEntry> {
  readonly configSchema: z.ZodType<S>;
  /** Relative paths in an entry are read from the config file's folder. */
  resolvePaths(entry: S, at: (p: string) => string): S;
}

const agentObjectSchema = z.strictObject({
  /** Defaults to the name in the agent's certificate. */
  name: z.string().min(1).optional(),
  controller: z.strictObject({
    address: z.string().min(1),
    serverName: z.string().min(1).optional(),
  }),
  /** Certificate files made elsewhere (ferry make-ca); or `bootstrap` below. */
  tls: z.strictObject({ cert: z.string().min(1), key: z.string().min(1), ca: z.string().min(1) }).optional(),
  /** Enrol with a one-time token: the agent makes its key, sends a CSR, renews over the tunnel. */
  bootstrap: z
    .strictObject({
      token: z.string().min(1).optional(),
      tokenFile: z.string().min(1).optional(),
      controlUrl: z.url(),
      caFile: z.string().min(1),
    })
    .refine((b) => (b.token === undefined) !== (b.tokenFile === undefined), 'give exactly one of token or tokenFile')
    .optional(),
  /** Where a bootstrapped agent keeps its key and certificate (default: <config folder>/agent-certs). */
  certDir: z.string().min(1).optional(),
  annotations: z.record(z.string(), z.string()).default({}),
  streams: z
    .strictObject({
      minIdle: z.number().int().min(1).max(1024).default(8),
      max: z.number().int().min(1).max(100_000).default(20_000),
    })
    .prefault({}),
  shutdown: z.strictObject({ grace: durationSchema.default(30) }).prefault({}),
  metrics: z.strictObject({ listen: listenSchema }).optional(),
  /** The reverse direction: local listeners whose requests go to a controller-side service. */
  listeners: z
    .array(
      z.strictObject({
        listen: listenSchema,
        type: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a DNS-safe name'),
        name: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a DNS-safe name'),
      }),
    )
    .default([]),
});

/** The agent config's schema with the given service entries' schema. */
export function agentConfigSchemaOf<S extends ServiceEntry>(services: z.ZodType<S>) {
  return agentObjectSchema
    .extend({ services: z.array(services).default([]) })
    .refine((c) => (c.tls === undefined) !== (c.bootstrap === undefined), 'give exactly one of tls (certificate files) or bootstrap (one-time token)');
}

type RawAgentConfig<S extends ServiceEntry> = z.infer<typeof agentObjectSchema> & { services: S[] };

export type AgentConfig<S extends ServiceEntry = ServiceEntry> = Omit<RawAgentConfig<S>, 'tls' | 'certDir'> & {
  file: string;
  /** In bootstrap mode: the files in certDir the agent writes itself. */
  tls: { cert: string; key: string; ca: string };
  certDir: string;
};

export const AGENT_ENV = {
  CONTROLLER_ADDRESS: 'controller.address',
  CONTROLLER_SERVER_NAME: 'controller.serverName',
  AGENT_NAME: 'name',
  METRICS_LISTEN: 'metrics.listen',
} as const;

export type AgentConfigInput = z.input<typeof agentObjectSchema> & { services?: unknown[] };

export async function loadAgentConfig<S extends ServiceEntry>(file: string, env: NodeJS.ProcessEnv, services: ServiceSchemas<S>): Promise<AgentConfig<S>> {
  const raw: RawAgentConfig<S> = await loadConfigFile(file, agentConfigSchemaOf(services.configSchema), { env, envPrefix: 'FERRY_', envMap: AGENT_ENV });
  return resolveAgentConfig(raw, dirname(resolve(file)), resolve(file), services);
}

/** An agent config from an object (no file, no environment overrides). */
export function agentConfigFromObject<S extends ServiceEntry>(data: AgentConfigInput, options: ConfigObjectOptions, services: ServiceSchemas<S>): AgentConfig<S> {
  const label = options.label ?? DEFAULT_CONFIG_LABEL;
  const raw: RawAgentConfig<S> = parseConfigObject(data, agentConfigSchemaOf(services.configSchema), label);
  return resolveAgentConfig(raw, resolve(options.baseDir), label, services);
}

function resolveAgentConfig<S extends ServiceEntry>(raw: RawAgentConfig<S>, base: string, file: string, services: ServiceSchemas<S>): AgentConfig<S> {
  const at = (p: string) => resolve(base, p);
  const certDir = at(raw.certDir ?? 'agent-certs');
  const tls = raw.tls ?? { cert: join(certDir, 'agent.crt'), key: join(certDir, 'agent.key'), ca: join(certDir, 'ca.crt') };
  return {
    ...raw,
    file,
    certDir,
    tls: { cert: at(tls.cert), key: at(tls.key), ca: at(tls.ca) },
    bootstrap: raw.bootstrap && {
      ...raw.bootstrap,
      tokenFile: raw.bootstrap.tokenFile && at(raw.bootstrap.tokenFile),
      caFile: at(raw.bootstrap.caFile),
    },
    services: raw.services.map((s) => services.resolvePaths(s, at)),
  };
}
