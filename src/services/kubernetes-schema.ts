// The kubernetes type's own config key: where its server and credential come from.
import { z } from 'zod';
import type { PathResolver } from './service-paths.js';

const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export const kubernetesSchema = z
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

export type KubernetesConfig = z.infer<typeof kubernetesSchema>;

export function resolveKubernetesPaths<S extends { kubernetes?: KubernetesConfig | undefined }>(s: S, at: PathResolver): S {
  const k = s.kubernetes;
  if (!k) return s;
  return {
    ...s,
    kubernetes: {
      ...k,
      inCluster: k.inCluster && { tokenFile: at(k.inCluster.tokenFile), caFile: at(k.inCluster.caFile) },
      kubeconfig: k.kubeconfig && { ...k.kubeconfig, file: at(k.kubeconfig.file) },
    },
  };
}
