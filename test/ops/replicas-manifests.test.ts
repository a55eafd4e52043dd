// examples/kubernetes/replicas: the controller base as 3 replicas on PostgreSQL renders with
// `kubectl kustomize`, lints clean, and has what several replicas need: no state volume,
// the store URL from a Secret, the replica id from the pod name, the sealing key mounted,
// a headless Service for agents, a PodDisruptionBudget, readiness on /readyz (false while
// draining); its controller.yaml passes ferry's own schema.
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { parseAllDocuments } from 'yaml';
import { loadControllerConfig } from '../../src/config/controller-config.js';
import { defaultServiceTypes } from '../../src/services/default-types.js';
import { ROOT } from '../../testkit/processes.js';
import { hasProgram } from './ops-helpers.js';

const DIR = join(ROOT, 'examples', 'kubernetes', 'replicas');
const haveKubectl = hasProgram('kubectl', ['version', '--client']);
const haveYamllint = hasProgram('yamllint');

type Doc = { kind: string; metadata: { name: string; namespace?: string }; spec: Record<string, unknown>; data?: Record<string, string> };
interface Container {
  env: { name: string; valueFrom: { secretKeyRef?: { name: string; key: string }; fieldRef?: { fieldPath: string } } }[];
  readinessProbe: { httpGet: { path: string } };
  volumeMounts: { name: string; mountPath: string }[];
}

void t.test('the replicas overlay', { skip: haveKubectl ? false : 'kubectl not installed' }, async (t) => {
  const run = spawnSync('kubectl', ['kustomize', DIR], { encoding: 'utf8' });
  t.equal(run.status, 0, run.stderr);
  const docs = parseAllDocuments(run.stdout).map((d) => d.toJSON() as Doc);
  t.same(docs.map((d) => d.kind).sort(), ['ConfigMap', 'Deployment', 'Namespace', 'PodDisruptionBudget', 'Service', 'Service', 'ServiceAccount'], 'no PersistentVolumeClaim');
  t.ok(docs.every((d) => d.kind === 'Namespace' || d.metadata.namespace === 'ferry'), 'everything in the ferry namespace');
  const deployment = docs.find((d) => d.kind === 'Deployment')!;
  const spec = deployment.spec as { replicas: number; strategy: { type: string }; template: { spec: { containers: Container[]; volumes: { name: string; secret?: { secretName: string } }[] } } };
  t.equal(spec.replicas, 3);
  t.equal(spec.strategy.type, 'RollingUpdate', 'no Recreate: there is no volume to hand over');
  const pod = spec.template.spec;
  const c = pod.containers[0]!;
  t.same(c.env.find((e) => e.name === 'FERRY_STORE_URL')?.valueFrom.secretKeyRef, { name: 'ferry-store', key: 'url' }, 'the store URL from a Secret');
  t.same(c.env.find((e) => e.name === 'FERRY_REPLICA_ID')?.valueFrom.fieldRef, { fieldPath: 'metadata.name' }, 'one replica id per pod');
  t.notOk(pod.volumes.some((v) => v.name === 'state'), 'no state volume');
  t.ok(pod.volumes.some((v) => v.secret?.secretName === 'ferry-store'), 'the sealing key from the Secret');
  t.ok(c.volumeMounts.some((m) => m.mountPath === '/etc/ferry/store'));
  t.equal(c.readinessProbe.httpGet.path, '/readyz', 'unready while draining');
  const headless = docs.find((d) => d.kind === 'Service' && d.metadata.name === 'ferry-controller-agents')!;
  t.equal(headless.spec['clusterIP'], 'None', 'a headless Service for agents');
  t.equal(headless.spec['publishNotReadyAddresses'], false, 'draining replicas drop out of it');
  const pdb = docs.find((d) => d.kind === 'PodDisruptionBudget')!;
  t.equal(pdb.spec['minAvailable'], 2);
  if (haveYamllint) {
    const lint = spawnSync('yamllint', ['-f', 'parsable', '-c', join(ROOT, 'examples', 'yamllint.yaml'), '-'], { encoding: 'utf8', input: run.stdout });
    t.equal(lint.status, 0, `rendered output lints clean: ${lint.stdout}`);
  }
  const map = docs.find((d) => d.kind === 'ConfigMap')!;
  const file = join(t.testdir({}), 'controller.yaml');
  await writeFile(file, map.data?.['controller.yaml'] ?? '');
  const config = await loadControllerConfig(file, { FERRY_STORE_URL: 'postgres://ferry:pw@db:5432/ferry' }, defaultServiceTypes());
  t.equal(config.store.kind, 'postgres', 'the shipped controller.yaml passes ferry’s schema');
  t.equal(config.store.keyFile, '/etc/ferry/store/store.key');
});
