// The agent's YAML config. Relative paths are read from the config file's folder.
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { durationSchema } from './duration.js';
import { DEFAULT_CONFIG_LABEL, parseConfigObject, type ConfigObjectOptions } from './from-object.js';
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

const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

const kubernetesSchema = z
  .strictObject({
    /** The agent's own service account (projected token, CA, KUBERNETES_SERVICE_HOST/PORT). */
    inCluster: z
      .strictObject({
        tokenFile: z.string().min(1).default(`${SA_DIR}/token`),
        caFile: z.string().min(1).default(`${SA_DIR}/ca.crt`),
      })
      .optional(),
    /** A kubeconfig file: token, client certificate or exec plugin. */
    kubeconfig: z.strictObject({ file: z.string().min(1), context: z.string().min(1).optional() }).optional(),
    /** Add Impersonate-User/-Group for the caller on top of the agent's credential. */
    impersonate: z.boolean().default(false),
  })
  .refine((k) => (k.inCluster === undefined) !== (k.kubeconfig === undefined), 'give exactly one of inCluster or kubeconfig');

const awsSchema = z.strictObject({
  region: z.string().regex(/^[a-z0-9-]+$/, 'must be an AWS region such as eu-west-1'),
  service: z.string().regex(/^[a-z0-9-]+$/, 'must be an AWS signing name such as s3 or sts'),
  accessKeyId: secretSourceSchema,
  secretAccessKey: secretSourceSchema,
  sessionToken: secretSourceSchema.optional(),
});

const spinnakerSchema = z.strictObject({
  /**
   * Callers allowed to speak for other users in X-Spinnaker-User (Spinnaker services);
   * default: the service's own credential, `<name>.<agent>`. Anyone else may only be themselves.
   */
  trustedCallers: z.array(z.string().min(1)).optional(),
});

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

export const SPINNAKER_TYPES = ['clouddriver', 'front50', 'fiat'] as const;
export const AGENT_SERVICE_TYPES = ['kubernetes', 'jenkins', 'argocd', 'aws', ...SPINNAKER_TYPES, 'docker-registry'] as const;

function isHttpUrl(text: string): boolean {
  try {
    const u = new URL(text);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

type ServiceShape = {
  type: string;
  url?: string | undefined;
  credential?: CredentialConfig | undefined;
  kubernetes?: unknown;
  aws?: unknown;
  spinnaker?: unknown;
};

/** What each type needs and allows, reported at the key that is wrong. */
function checkServiceType(s: ServiceShape, ctx: z.RefinementCtx): void {
  const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
  const known = (AGENT_SERVICE_TYPES as readonly string[]).includes(s.type);
  if (!known && !s.type.startsWith('x-')) {
    issue('type', `unknown service type "${s.type}": use one of ${AGENT_SERVICE_TYPES.join(', ')} or a custom x-… type`);
    return;
  }
  const spinnaker = (SPINNAKER_TYPES as readonly string[]).includes(s.type);
  if (s.kubernetes !== undefined && s.type !== 'kubernetes') issue('kubernetes', 'only for type kubernetes');
  if (s.aws !== undefined && s.type !== 'aws') issue('aws', 'only for type aws');
  if (s.spinnaker !== undefined && !spinnaker) issue('spinnaker', `only for types ${SPINNAKER_TYPES.join(', ')}`);
  const kubeWithOwnTarget = s.type === 'kubernetes' && s.kubernetes !== undefined;
  if (s.url === undefined && !kubeWithOwnTarget) issue('url', 'required (an http:// or https:// URL)');
  if (kubeWithOwnTarget && s.credential !== undefined) issue('credential', 'not with kubernetes.inCluster/kubeconfig, which bring their own');
  switch (s.type) {
    case 'jenkins':
      if (s.credential?.kind !== 'basic') issue('credential', 'jenkins needs kind basic (user and API token)');
      break;
    case 'argocd':
      if (s.credential?.kind !== 'bearer') issue('credential', 'argocd needs kind bearer (an ArgoCD token)');
      break;
    case 'aws':
      if (s.aws === undefined) issue('aws', 'required: region, service and the agent\'s keys');
      if (s.credential !== undefined) issue('credential', 'aws signs with the keys under aws:, not a credential');
      break;
    default:
      break;
  }
}

export const serviceConfigSchema = z
  .strictObject({
    type: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a DNS-safe name'),
    name: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a DNS-safe name'),
    /** Optional only for kubernetes with inCluster/kubeconfig, which know their server. */
    url: z.string().min(1).refine(isHttpUrl, 'must be an http:// or https:// URL').optional(),
    tls: serviceTlsSchema.optional(),
    annotations: z.record(z.string(), z.string()).default({}),
    credential: credentialSchema.optional(),
    kubernetes: kubernetesSchema.optional(),
    aws: awsSchema.optional(),
    spinnaker: spinnakerSchema.optional(),
    health: healthSchema.prefault({}),
  })
  .superRefine(checkServiceType);

export type ServiceConfig = z.infer<typeof serviceConfigSchema>;

export const agentConfigSchema = z.strictObject({
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
  services: z.array(serviceConfigSchema).default([]),
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
}).refine((c) => (c.tls === undefined) !== (c.bootstrap === undefined), 'give exactly one of tls (certificate files) or bootstrap (one-time token)');

type RawAgentConfig = z.infer<typeof agentConfigSchema>;

export type AgentConfig = Omit<RawAgentConfig, 'tls' | 'certDir'> & {
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

export type AgentConfigInput = z.input<typeof agentConfigSchema>;

export async function loadAgentConfig(file: string, env: NodeJS.ProcessEnv = process.env): Promise<AgentConfig> {
  const raw = await loadConfigFile(file, agentConfigSchema, { env, envPrefix: 'FERRY_', envMap: AGENT_ENV });
  return resolveAgentConfig(raw, dirname(resolve(file)), resolve(file));
}

/** An agent config from an object (no file, no environment overrides). */
export function agentConfigFromObject(data: AgentConfigInput, options: ConfigObjectOptions): AgentConfig {
  const label = options.label ?? DEFAULT_CONFIG_LABEL;
  return resolveAgentConfig(parseConfigObject(data, agentConfigSchema, label), resolve(options.baseDir), label);
}

function resolveAgentConfig(raw: RawAgentConfig, base: string, file: string): AgentConfig {
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
    services: raw.services.map((s) => resolveServicePaths(s, at)),
  };
}

function resolveSource(src: SecretSource, at: (p: string) => string): SecretSource {
  if (src.file !== undefined) return { file: at(src.file) };
  if (src.secret !== undefined) return { secret: { dir: at(src.secret.dir), key: src.secret.key } };
  return src;
}

function resolveCredential(c: CredentialConfig | undefined, at: (p: string) => string): CredentialConfig | undefined {
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

/** Relative paths in a service's config are read from the config file's folder. */
export function resolveServicePaths(s: ServiceConfig, at: (p: string) => string): ServiceConfig {
  const k = s.kubernetes;
  return {
    ...s,
    tls: s.tls && {
      ...s.tls,
      caFile: s.tls.caFile && at(s.tls.caFile),
      certFile: s.tls.certFile && at(s.tls.certFile),
      keyFile: s.tls.keyFile && at(s.tls.keyFile),
    },
    credential: resolveCredential(s.credential, at),
    kubernetes: k && {
      ...k,
      inCluster: k.inCluster && { tokenFile: at(k.inCluster.tokenFile), caFile: at(k.inCluster.caFile) },
      kubeconfig: k.kubeconfig && { ...k.kubeconfig, file: at(k.kubeconfig.file) },
    },
    aws: s.aws && {
      ...s.aws,
      accessKeyId: resolveSource(s.aws.accessKeyId, at),
      secretAccessKey: resolveSource(s.aws.secretAccessKey, at),
      sessionToken: s.aws.sessionToken && resolveSource(s.aws.sessionToken, at),
    },
  };
}
