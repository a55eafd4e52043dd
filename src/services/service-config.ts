// What every service entry in a config file has (type, name, url, tls, credential, health),
// and the ServiceConfig the built-in types read. A type's own key (kubernetes:, aws:,
// spinnaker:) has its schema beside the type; the registry puts the entry schema together.
import { z } from 'zod';
import { durationSchema } from '../config/duration.js';
import { secretSourceSchema } from '../config/agent-config.js';
import type { AwsConfig } from './aws-schema.js';
import type { KubernetesConfig } from './kubernetes-schema.js';
import type { SpinnakerConfig } from './spinnaker-schema.js';
import { resolveSource, type PathResolver } from './service-paths.js';

const serviceTlsSchema = z.strictObject({
  caFile: z.string().min(1).optional(),
  serverName: z.string().min(1).optional(),
  /** Skip upstream certificate checks; only when explicitly asked. */
  insecure: z.boolean().default(false),
  certFile: z.string().min(1).optional(),
  keyFile: z.string().min(1).optional(),
});

export const credentialSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('none') }),
  z.strictObject({ kind: z.literal('basic'), username: z.union([z.string().min(1), secretSourceSchema]), password: secretSourceSchema }),
  z.strictObject({ kind: z.literal('bearer'), token: secretSourceSchema }),
  /** `Authorization: Token <token>`. */
  z.strictObject({ kind: z.literal('token'), token: secretSourceSchema }),
  /** A client certificate and key (PEM) presented to the upstream. */
  z.strictObject({ kind: z.literal('clientCertificate'), cert: secretSourceSchema, key: secretSourceSchema }),
]);

export type CredentialConfig = z.infer<typeof credentialSchema>;

const healthSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** Default per type: kubernetes /readyz, jenkins /api/json, argocd /healthz, Spinnaker /health, others /. */
  path: z.string().startsWith('/', 'must start with /').optional(),
  interval: durationSchema.default(10),
  timeout: durationSchema.default(5),
  /** Consecutive failed probes before the service is reported unhealthy. */
  failures: z.number().int().min(1).max(100).default(2),
});

export type HealthConfig = z.infer<typeof healthSchema>;

function isHttpUrl(text: string): boolean {
  try {
    const u = new URL(text);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

const DNS_SAFE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** The keys every entry has; a type's own key goes in between (see ServiceTypeRegistry). */
export const serviceBaseShape = {
  type: z.string().regex(DNS_SAFE, 'must be a DNS-safe name'),
  name: z.string().regex(DNS_SAFE, 'must be a DNS-safe name'),
  /** Optional only for types that know their server (kubernetes with inCluster/kubeconfig). */
  url: z.string().min(1).refine(isHttpUrl, 'must be an http:// or https:// URL').optional(),
  tls: serviceTlsSchema.optional(),
  annotations: z.record(z.string(), z.string()).default({}),
  credential: credentialSchema.optional(),
  health: healthSchema.prefault({}),
};

type BaseServiceConfig = z.infer<z.ZodObject<typeof serviceBaseShape>>;

/** A validated service entry; an embedder's own type reads its key from the index. */
export type ServiceConfig = BaseServiceConfig & {
  kubernetes?: KubernetesConfig | undefined;
  aws?: AwsConfig | undefined;
  spinnaker?: SpinnakerConfig | undefined;
  readonly [key: string]: unknown;
};

export type { PathResolver } from './service-paths.js';

function resolveCredential(c: CredentialConfig | undefined, at: PathResolver): CredentialConfig | undefined {
  switch (c?.kind) {
    case 'basic':
      return { ...c, username: typeof c.username === 'string' ? c.username : resolveSource(c.username, at), password: resolveSource(c.password, at) };
    case 'bearer':
    case 'token':
      return { ...c, token: resolveSource(c.token, at) };
    case 'clientCertificate':
      return { ...c, cert: resolveSource(c.cert, at), key: resolveSource(c.key, at) };
    default:
      return c;
  }
}

/** Relative paths in the keys every entry has are read from the config file's folder. */
export function resolveBasePaths(s: ServiceConfig, at: PathResolver): ServiceConfig {
  return {
    ...s,
    tls: s.tls && {
      ...s.tls,
      caFile: s.tls.caFile && at(s.tls.caFile),
      certFile: s.tls.certFile && at(s.tls.certFile),
      keyFile: s.tls.keyFile && at(s.tls.keyFile),
    },
    credential: resolveCredential(s.credential, at),
  };
}
