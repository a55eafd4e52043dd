// A certificate bundle as a Kubernetes Secret of type kubernetes.io/tls, plus ca.crt
// (the key cert-manager also uses), so a pod can mount it and trust the CA directly.
import { stringify } from 'yaml';
import { assertDnsSafeName } from './identity.js';

export interface TlsSecretInput {
  name: string;
  namespace: string;
  certPem: string;
  keyPem: string;
  caPem: string;
  labels?: Record<string, string>;
}

function b64(s: string): string {
  return Buffer.from(s, 'utf8').toString('base64');
}

export function tlsSecretYaml(input: TlsSecretInput): string {
  assertDnsSafeName('namespace', input.namespace);
  const doc = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: input.name,
      namespace: input.namespace,
      labels: { 'app.kubernetes.io/name': 'ferry', ...input.labels },
    },
    type: 'kubernetes.io/tls',
    data: { 'tls.crt': b64(input.certPem), 'tls.key': b64(input.keyPem), 'ca.crt': b64(input.caPem) },
  };
  // lineWidth 0: never fold the long base64 strings.
  return stringify(doc, { lineWidth: 0 });
}
