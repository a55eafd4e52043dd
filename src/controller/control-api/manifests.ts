// What an onboarded agent needs to run in Kubernetes: its config (bootstrap mode), and
// a ServiceAccount, a Secret (config, one-time token, CA) and a Deployment.
import { stringify } from 'yaml';

export interface AgentBundleInput {
  agent: string;
  namespace: string;
  image: string;
  controllerAddress: string;
  serverName: string;
  controlUrl: string;
  bootstrapToken: string;
  caPem: string;
}

const MOUNT = '/etc/ferry';
const CERT_DIR = '/var/lib/ferry';

/** The agent config as it runs in the pod; paths point into the mounted Secret. */
export function agentConfigYaml(input: AgentBundleInput): string {
  return stringify(
    {
      name: input.agent,
      controller: { address: input.controllerAddress, serverName: input.serverName },
      bootstrap: { tokenFile: `${MOUNT}/bootstrap-token`, controlUrl: input.controlUrl, caFile: `${MOUNT}/ca.crt` },
      certDir: CERT_DIR,
      services: [
        {
          type: 'kubernetes',
          name: 'default',
          url: 'https://kubernetes.default.svc',
          tls: { caFile: '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt' },
        },
      ],
    },
    { lineWidth: 0 },
  );
}

export function agentManifestsYaml(input: AgentBundleInput, configYaml: string): string {
  const name = `ferry-agent-${input.agent}`;
  const labels = { 'app.kubernetes.io/name': 'ferry-agent', 'app.kubernetes.io/instance': input.agent };
  const meta = { name, namespace: input.namespace, labels };
  const serviceAccount = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta };
  const secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: meta,
    type: 'Opaque',
    stringData: { 'config.yaml': configYaml, 'bootstrap-token': input.bootstrapToken, 'ca.crt': input.caPem },
  };
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta,
    spec: {
      // One replica: the bootstrap token is good for one certificate.
      replicas: 1,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: name,
          securityContext: { runAsNonRoot: true, runAsUser: 65532, fsGroup: 65532 },
          containers: [
            {
              name: 'agent',
              image: input.image,
              args: ['agent', '--config', `${MOUNT}/config.yaml`],
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
              volumeMounts: [
                { name: 'config', mountPath: MOUNT, readOnly: true },
                { name: 'certs', mountPath: CERT_DIR },
              ],
              resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } },
            },
          ],
          volumes: [
            { name: 'config', secret: { secretName: name, defaultMode: 0o400 } },
            // Survives container restarts; a rescheduled pod needs a new bootstrap token.
            { name: 'certs', emptyDir: {} },
          ],
        },
      },
    },
  };
  return [serviceAccount, secret, deployment].map((d) => stringify(d, { lineWidth: 0 })).join('---\n');
}
