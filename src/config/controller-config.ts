// The controller's YAML config. Relative paths are read from the config file's folder.
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import type { ServiceEntry, ServiceSchemas } from './agent-config.js';
import { durationSchema } from './duration.js';
import { DEFAULT_CONFIG_LABEL, parseConfigObject, type ConfigObjectOptions } from './from-object.js';
import { agentLimitsSchema, frontDoorLimitsSchema } from './limits-config.js';
import { listenSchema } from './listen.js';
import { loadConfigFile } from './load-yaml.js';
import { resolveWebhookPaths, webhooksConfigSchema } from './webhooks-config.js';
import { loginConfigSchema, oidcConfigSchema, resolveLoginPaths, resolveOidcPaths } from './oidc-config.js';
import { replicaConfigSchema, resolveStorePaths, storeConfigSchema } from './store-config.js';
import { registryConfigSchema, resolveRegistryPaths } from './registry-config.js';

const listen = (fallback: string) => listenSchema.prefault(fallback);

/** The controller config's schema with the given service entries' schema (for `reverse`). */
export function controllerConfigSchemaOf<S extends ServiceEntry>(services: z.ZodType<S>) {
  return z
  .object({
    ca: z.strictObject({ cert: z.string().min(1), key: z.string().min(1) }),
    /** Token keys and revocations live here; default: <folder of ca.cert>/state. */
    dataDir: z.string().min(1).optional(),
    agents: z.strictObject({ listen: listen(':9001'), limits: agentLimitsSchema.optional() }).prefault({}),
    frontDoor: z
      .strictObject({
        listen: listen(':9002'),
        serverNames: z.array(z.string().min(1)).min(1).default(['localhost', '127.0.0.1']),
        /** The URL clients use, written into kubeconfigs and credentials. */
        publicUrl: z.url().optional(),
        /** Connection limits (README "Limits and hardening"). */
        limits: frontDoorLimitsSchema.optional(),
      })
      .prefault({}),
    control: z.strictObject({ listen: listen(':9003') }).prefault({}),
    metrics: z.strictObject({ listen: listen('127.0.0.1:9102') }).prefault({}),
    streams: z
      .strictObject({
        maxIdlePerSession: z.number().int().min(1).max(100_000).default(64),
        waitTimeout: durationSchema.default(10),
      })
      .prefault({}),
    tokens: z
      .strictObject({
        serviceTtl: durationSchema.default(24 * 3600),
        kubectlTtl: durationSchema.default(12 * 3600),
        controlTtl: durationSchema.default(3600),
        bootstrapTtl: durationSchema.default(3600),
      })
      .prefault({}),
    agentCertificateTtl: durationSchema.default(7 * 24 * 3600),
    shutdown: z.strictObject({ grace: durationSchema.default(30) }).prefault({}),
    /** The reverse direction: controller-side services that named agents may call. */
    reverse: z
      .array(
        z.strictObject({
          /** Agent names allowed to call this service ("*" for every agent). */
          agents: z.array(z.string().min(1)).min(1),
          service: services,
        }),
      )
      .default([]),
    /** Credential checks and route decisions delegated to the operator's webhook. */
    webhooks: webhooksConfigSchema.optional(),
    /** People: ID tokens from identity providers, and who may reach what (issue 19). */
    oidc: oidcConfigSchema.optional(),
    /** osprey-compatible password login on the front door (issue 19). */
    login: loginConfigSchema.optional(),
    /** Shared state: the dataDir (default) or PostgreSQL for several replicas (store-config.ts). */
    store: storeConfigSchema.prefault({}),
    replica: replicaConfigSchema.prefault({}),
    /** Processes on this machine sharing the ports (node:cluster); 1 = this process only. */
    workers: z.number().int().min(1).max(256).default(1),
    /** The docker registry token endpoint and registries through the tunnel (registry-config.ts). */
    registry: registryConfigSchema.optional(),
  })
  .strict();
}

type RawControllerConfig<S extends ServiceEntry> = z.infer<ReturnType<typeof controllerConfigSchemaOf<S>>>;

export type ControllerConfig<S extends ServiceEntry = ServiceEntry> = Omit<RawControllerConfig<S>, 'store'> & {
  file: string;
  dataDir: string;
  store: ReturnType<typeof resolveStorePaths>;
};

export const CONTROLLER_ENV = {
  AGENTS_LISTEN: 'agents.listen',
  FRONTDOOR_LISTEN: 'frontDoor.listen',
  FRONTDOOR_PUBLIC_URL: 'frontDoor.publicUrl',
  CONTROL_LISTEN: 'control.listen',
  METRICS_LISTEN: 'metrics.listen',
  STORE_URL: 'store.url',
  REPLICA_ID: 'replica.id',
  WORKERS: 'workers',
} as const;

export type ControllerConfigInput = z.input<ReturnType<typeof controllerConfigSchemaOf<ServiceEntry>>>;

export async function loadControllerConfig<S extends ServiceEntry>(file: string, env: NodeJS.ProcessEnv, services: ServiceSchemas<S>): Promise<ControllerConfig<S>> {
  const raw: RawControllerConfig<S> = await loadConfigFile(file, controllerConfigSchemaOf(services.configSchema), { env, envPrefix: 'FERRY_', envMap: CONTROLLER_ENV });
  return resolveControllerConfig(raw, dirname(resolve(file)), resolve(file), services);
}

/** A controller config from an object (no file, no environment overrides). */
export function controllerConfigFromObject<S extends ServiceEntry>(data: ControllerConfigInput, options: ConfigObjectOptions, services: ServiceSchemas<S>): ControllerConfig<S> {
  const label = options.label ?? DEFAULT_CONFIG_LABEL;
  const raw: RawControllerConfig<S> = parseConfigObject(data, controllerConfigSchemaOf(services.configSchema), label);
  return resolveControllerConfig(raw, resolve(options.baseDir), label, services);
}

function resolveControllerConfig<S extends ServiceEntry>(raw: RawControllerConfig<S>, base: string, file: string, services: ServiceSchemas<S>): ControllerConfig<S> {
  const at = (p: string) => resolve(base, p);
  const ca = { cert: at(raw.ca.cert), key: at(raw.ca.key) };
  return {
    ...raw,
    ca,
    file,
    dataDir: raw.dataDir ? at(raw.dataDir) : resolve(dirname(ca.cert), 'state'),
    reverse: raw.reverse.map((r) => ({ ...r, service: services.resolvePaths(r.service, at) })),
    webhooks: resolveWebhookPaths(raw.webhooks, at),
    oidc: resolveOidcPaths(raw.oidc, at),
    login: resolveLoginPaths(raw.login, at),
    store: resolveStorePaths(raw.store, at),
    registry: resolveRegistryPaths(raw.registry, at),
  };
}
