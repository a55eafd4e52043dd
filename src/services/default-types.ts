// The built-in service types, in the order the "unknown service type" message lists them;
// any `x-…` type is a plain HTTP service with a credential kind.
import type { z } from 'zod';
import { ArgoCdService } from './argocd.js';
import { AwsService } from './aws.js';
import { awsSchema, resolveAwsPaths } from './aws-schema.js';
import { CredentialService } from './custom.js';
import { JenkinsService } from './jenkins.js';
import { KubernetesService, KubernetesUrlService } from './kubernetes.js';
import { kubernetesSchema, resolveKubernetesPaths } from './kubernetes-schema.js';
import { SpinnakerService } from './spinnaker.js';
import { SPINNAKER_TYPES, spinnakerSchema } from './spinnaker-schema.js';
import type { ServiceConfig } from './service-config.js';
import type { ServiceEntryShape } from './service-type.js';
import { ServiceTypeRegistry } from './service-types.js';
import { RegistryService, registryServiceSchema } from './registry-robot.js';

const kubeOwnsTarget = (s: ServiceEntryShape) => s.kubernetes !== undefined;

export function defaultServiceTypes(): ServiceTypeRegistry {
  const registry = new ServiceTypeRegistry({ create: (cfg, ctx, tls) => new CredentialService(cfg, ctx, tls) });
  registry.register({
    type: 'kubernetes',
    key: 'kubernetes',
    schema: kubernetesSchema,
    ownsTarget: kubeOwnsTarget,
    check(s, issue) {
      if (kubeOwnsTarget(s) && s.credential !== undefined) issue('credential', 'not with kubernetes.inCluster/kubeconfig, which bring their own');
    },
    resolvePaths: resolveKubernetesPaths,
    create: (cfg, ctx, tls) => (cfg.kubernetes ? new KubernetesService(cfg, ctx, tls) : new KubernetesUrlService(cfg, ctx, tls)),
  });
  registry.register({
    type: 'jenkins',
    check(s, issue) {
      if (s.credential?.kind !== 'basic') issue('credential', 'jenkins needs kind basic (user and API token)');
    },
    create: (cfg, ctx, tls) => new JenkinsService(cfg, ctx, tls),
  });
  registry.register({
    type: 'argocd',
    check(s, issue) {
      if (s.credential?.kind !== 'bearer') issue('credential', 'argocd needs kind bearer (an ArgoCD token)');
    },
    create: (cfg, ctx, tls) => new ArgoCdService(cfg, ctx, tls),
  });
  registry.register({
    type: 'aws',
    key: 'aws',
    schema: awsSchema,
    check(s, issue) {
      if (s.aws === undefined) issue('aws', "required: region, service and the agent's keys");
      if (s.credential !== undefined) issue('credential', 'aws signs with the keys under aws:, not a credential');
    },
    resolvePaths: resolveAwsPaths,
    create: (cfg, ctx, tls) => new AwsService(cfg, ctx, tls),
  });
  for (const type of SPINNAKER_TYPES) {
    registry.register({ type, key: 'spinnaker', schema: spinnakerSchema, create: (cfg, ctx, tls) => new SpinnakerService(cfg, ctx, tls) });
  }
  registry.register({ type: 'docker-registry', create: (cfg, ctx, tls) => new CredentialService(cfg, ctx, tls) });
  // A registry reached through the tunnel by host name; a basic credential is a robot account when the registry wants tokens.
  registry.register({
    type: 'registry',
    key: 'registry',
    schema: registryServiceSchema,
    check(s, issue) {
      const kind = s.credential?.kind;
      if (kind !== undefined && kind !== 'basic' && kind !== 'bearer' && kind !== 'none') issue('credential', 'registry takes basic (a robot account), bearer or none');
    },
    create: (cfg, ctx, tls) => new RegistryService(cfg, ctx, tls),
  });
  return registry;
}

/** The built-ins' entry schema (for code and tests that parse one entry). */
export function serviceConfigSchema(): z.ZodType<ServiceConfig> {
  return defaultServiceTypes().configSchema;
}
