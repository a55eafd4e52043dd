// The deployment files: the Kubernetes kustomize bases render with `kubectl kustomize`
// (also through an overlay fed by real `ferry make-ca --kubernetes` output) and pass
// yamllint; their pods are non-root, read-only, probed on /healthz and /readyz and
// resourced; the agent's RBAC is impersonation only; every shipped config passes ferry's
// own schema; the compose file and Dockerfile have the shape the issue asks for.
import t, { type Test } from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { loadAgentConfig } from '../../src/config/agent-config.js';
import { loadControllerConfig } from '../../src/config/controller-config.js';
import { defaultServiceTypes } from '../../src/services/default-types.js';
import { ferryOnce, ROOT } from '../../testkit/processes.js';
import { hasProgram } from './ops-helpers.js';

const K8S = join(ROOT, 'examples', 'kubernetes');
const LINT_CONFIG = join(ROOT, 'examples', 'yamllint.yaml');
const haveKubectl = hasProgram('kubectl', ['version', '--client']);
const haveYamllint = hasProgram('yamllint');

type Doc = { kind: string; metadata: { name: string; namespace?: string }; [k: string]: unknown };
interface Container {
  name: string;
  image: string;
  args: string[];
  readinessProbe: { httpGet: { path: string; port: string } };
  livenessProbe: { httpGet: { path: string; port: string } };
  startupProbe?: unknown;
  resources: { requests: Record<string, string>; limits: Record<string, string> };
  securityContext: { readOnlyRootFilesystem: boolean; allowPrivilegeEscalation: boolean; capabilities: { drop: string[] } };
  ports: { name: string; containerPort: number }[];
}
interface PodSpec {
  serviceAccountName: string;
  automountServiceAccountToken?: boolean;
  terminationGracePeriodSeconds: number;
  securityContext: { runAsNonRoot: boolean; runAsUser: number };
  containers: Container[];
  volumes: { name: string; secret?: { secretName: string }; configMap?: { name: string } }[];
}

function kustomize(dir: string): { text: string; docs: Doc[] } {
  const run = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`kubectl kustomize ${dir}: ${run.stderr}`);
  return { text: run.stdout, docs: parseAllDocuments(run.stdout).map((d) => d.toJSON() as Doc) };
}

function yamllint(args: string[], input?: string): { status: number | null; output: string } {
  const run = spawnSync('yamllint', ['-f', 'parsable', ...args], { encoding: 'utf8', input });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

const podOf = (docs: Doc[], name: string): PodSpec => {
  const deployment = docs.find((d) => d.kind === 'Deployment' && d.metadata.name === name) as unknown as { spec: { template: { spec: PodSpec } } };
  return deployment.spec.template.spec;
};

function checkPod(t: Test, pod: PodSpec, graceSeconds: number): void {
  t.equal(pod.securityContext.runAsNonRoot, true, 'runAsNonRoot');
  t.ok(pod.securityContext.runAsUser > 0, 'a non-root uid');
  t.ok(pod.terminationGracePeriodSeconds > graceSeconds, 'the pod outlives the drain');
  const [c] = pod.containers;
  t.ok(c, 'one container');
  if (!c) return;
  t.equal(c.securityContext.readOnlyRootFilesystem, true, 'readOnlyRootFilesystem');
  t.equal(c.securityContext.allowPrivilegeEscalation, false);
  t.same(c.securityContext.capabilities.drop, ['ALL']);
  t.same([c.livenessProbe.httpGet.path, c.readinessProbe.httpGet.path], ['/healthz', '/readyz'], 'probes');
  t.equal(c.readinessProbe.httpGet.port, 'metrics');
  t.ok(c.ports.some((p) => p.name === 'metrics' && p.containerPort === 9102), 'metrics on 9102');
  t.ok(c.resources.requests['cpu'] && c.resources.requests['memory'] && c.resources.limits['memory'], 'resources');
  t.match(c.image, /^ghcr\.io\/example\/ferry:0\.1\.0$/, 'image set by the base, replaceable by an overlay');
}

/** The config a ConfigMap carries, written out so ferry's own loader can check it. */
async function configFromMap(docs: Doc[], dir: string, key: string): Promise<string> {
  const map = docs.find((d) => d.kind === 'ConfigMap') as unknown as { data: Record<string, string> };
  const file = join(dir, key);
  await writeFile(file, map.data[key] ?? '');
  return file;
}

void t.test('yamllint passes on every YAML file shipped', { skip: haveYamllint ? false : 'yamllint not installed (Debian package "yamllint")' }, (t) => {
  const lint = yamllint(['-c', LINT_CONFIG, join(ROOT, 'examples'), join(ROOT, 'docker-compose.yml')]);
  t.equal(lint.status, 0, lint.output);
  t.end();
});

void t.test('the controller base', { skip: haveKubectl ? false : 'kubectl not installed' }, async (t) => {
  const { text, docs } = kustomize(join(K8S, 'controller'));
  t.same(docs.map((d) => d.kind).sort(), ['ConfigMap', 'Deployment', 'Namespace', 'PersistentVolumeClaim', 'Service', 'ServiceAccount']);
  const sa = docs.find((d) => d.kind === 'ServiceAccount') as unknown as { automountServiceAccountToken: boolean };
  t.equal(sa.automountServiceAccountToken, false, 'the controller gets no Kubernetes API token');
  t.notOk(docs.some((d) => /Role/.test(d.kind)), 'and no RBAC');
  const pod = podOf(docs, 'ferry-controller');
  t.equal(pod.serviceAccountName, 'ferry-controller');
  t.equal(pod.automountServiceAccountToken, false);
  checkPod(t, pod, 30);
  t.same(pod.containers[0]?.args, ['controller', '--config', '/etc/ferry/config/controller.yaml']);
  t.ok(pod.volumes.some((v) => v.secret?.secretName === 'ferry-ca'), 'the CA comes from a Secret');
  if (haveYamllint) {
    const lint = yamllint(['-c', LINT_CONFIG, '-'], text);
    t.equal(lint.status, 0, `rendered output lints clean: ${lint.output}`);
  }
  const config = await loadControllerConfig(await configFromMap(docs, t.testdir({}), 'controller.yaml'), {}, defaultServiceTypes());
  t.equal(config.metrics.listen.port, 9102, 'the shipped controller.yaml passes ferry’s schema');
  t.equal(config.dataDir, '/var/lib/ferry');
});

void t.test('the agent base', { skip: haveKubectl ? false : 'kubectl not installed' }, async (t) => {
  const { text, docs } = kustomize(join(K8S, 'agent'));
  t.same(docs.map((d) => d.kind).sort(), ['ClusterRole', 'ClusterRoleBinding', 'ConfigMap', 'Deployment', 'Namespace', 'ServiceAccount']);
  const role = docs.find((d) => d.kind === 'ClusterRole') as unknown as { rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[] };
  t.same(role.rules, [{ apiGroups: [''], resources: ['users', 'groups'], verbs: ['impersonate'] }], 'least privilege: impersonation only');
  const binding = docs.find((d) => d.kind === 'ClusterRoleBinding') as unknown as { subjects: { kind: string; name: string; namespace: string }[] };
  t.same(binding.subjects, [{ kind: 'ServiceAccount', name: 'ferry-agent', namespace: 'ferry-agent' }]);
  const pod = podOf(docs, 'ferry-agent');
  t.equal(pod.serviceAccountName, 'ferry-agent');
  checkPod(t, pod, 30);
  t.ok(pod.volumes.some((v) => v.secret?.secretName === 'ferry-agent-tls'), 'the agent certificate comes from a Secret');
  if (haveYamllint) {
    const lint = yamllint(['-c', LINT_CONFIG, '-'], text);
    t.equal(lint.status, 0, `rendered output lints clean: ${lint.output}`);
  }
  const config = await loadAgentConfig(await configFromMap(docs, t.testdir({}), 'agent.yaml'), {}, defaultServiceTypes());
  t.equal(config.metrics?.listen.port, 9102, 'the shipped agent.yaml passes ferry’s schema');
  t.same(config.services.map((s) => `${s.type}/${s.name}`), ['kubernetes/this-cluster']);
});

void t.test('an overlay fed by ferry make-ca --kubernetes renders with hashed Secret names', { skip: haveKubectl ? false : 'kubectl not installed' }, async (t) => {
  const dir = t.testdir({});
  const certs = join(dir, 'certs');
  const made = await ferryOnce(['make-ca', '--out', certs, '--agent', 'eu-1', '--kubernetes', '--namespace', 'ferry-agent']);
  t.equal(made.code, 0, made.stderr);
  const overlay = join(dir, 'overlay');
  await mkdir(overlay);
  const rel = (p: string) => relative(overlay, p);
  await writeFile(
    join(overlay, 'kustomization.yaml'),
    [
      'apiVersion: kustomize.config.k8s.io/v1beta1',
      'kind: Kustomization',
      'resources:',
      `  - ${rel(join(K8S, 'controller'))}`,
      `  - ${rel(join(K8S, 'agent'))}`,
      'secretGenerator:',
      '  - name: ferry-ca',
      '    namespace: ferry',
      '    files: [ca.crt=certs/ca.crt, ca.key=certs/ca.key]',
      '  - name: ferry-agent-tls',
      '    namespace: ferry-agent',
      '    type: kubernetes.io/tls',
      '    files: [tls.crt=certs/agent-eu-1.crt, tls.key=certs/agent-eu-1.key, ca.crt=certs/ca.crt]',
      'images:',
      '  - name: ghcr.io/example/ferry',
      '    newName: registry.example.com/ferry',
      '    newTag: "1.2.3"',
      '',
    ].join('\n'),
  );
  // kustomize reads generator files only from inside the overlay.
  await mkdir(join(overlay, 'certs'));
  for (const f of ['ca.crt', 'ca.key', 'agent-eu-1.crt', 'agent-eu-1.key']) await writeFile(join(overlay, 'certs', f), readFileSync(join(certs, f)));

  const { docs } = kustomize(overlay);
  const secrets = docs.filter((d) => d.kind === 'Secret');
  t.equal(secrets.length, 2);
  const caSecret = secrets.find((s) => s.metadata.name.startsWith('ferry-ca-'));
  const agentSecret = secrets.find((s) => s.metadata.name.startsWith('ferry-agent-tls-'));
  t.ok(caSecret && agentSecret, 'both Secrets get content-hash names (a rotation rolls the pods)');
  const controller = podOf(docs, 'ferry-controller');
  const agent = podOf(docs, 'ferry-agent');
  t.ok(controller.volumes.some((v) => v.secret?.secretName === caSecret?.metadata.name), 'the controller mounts the hashed CA Secret');
  t.ok(agent.volumes.some((v) => v.secret?.secretName === agentSecret?.metadata.name), 'the agent mounts the hashed agent Secret');
  t.equal(agent.containers[0]?.image, 'registry.example.com/ferry:1.2.3', 'the overlay sets the image');
  const tlsData = (agentSecret as unknown as { data: Record<string, string> }).data;
  t.equal(Buffer.from(tlsData['tls.crt'] ?? '', 'base64').toString(), readFileSync(join(certs, 'agent-eu-1.crt'), 'utf8'));
});

void t.test('docker-compose.yml: make-ca, controller, agent and demo, hardened', async (t) => {
  const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
    services: Record<string, { read_only?: boolean; user?: string; cap_drop?: string[]; depends_on?: Record<string, { condition: string }>; healthcheck?: unknown; volumes?: string[]; command?: string[] }>;
  };
  t.same(Object.keys(compose.services).sort(), ['agent', 'controller', 'demo', 'make-ca']);
  for (const name of ['make-ca', 'controller', 'agent']) {
    const s = compose.services[name]!;
    t.equal(s.read_only, true, `${name}: read-only root filesystem`);
    t.equal(s.user, '10001:10001', `${name}: non-root`);
    t.same(s.cap_drop, ['ALL']);
  }
  t.equal(compose.services['controller']?.depends_on?.['make-ca']?.condition, 'service_completed_successfully');
  t.equal(compose.services['agent']?.depends_on?.['controller']?.condition, 'service_healthy');
  t.ok(compose.services['agent']?.healthcheck, 'agent healthcheck on /readyz');
  for (const mount of [...(compose.services['controller']?.volumes ?? []), ...(compose.services['agent']?.volumes ?? []), ...(compose.services['demo']?.volumes ?? [])]) {
    const source = mount.split(':')[0]!;
    if (source.startsWith('./')) t.ok(existsSync(join(ROOT, source)), `${source} exists`);
  }
  const controller = await loadControllerConfig(join(ROOT, 'examples', 'compose', 'controller.yaml'), {}, defaultServiceTypes());
  t.ok(controller.frontDoor.serverNames.includes('controller'), 'the agent can verify the controller by its service name');
  const agent = await loadAgentConfig(join(ROOT, 'examples', 'compose', 'agent.yaml'), {}, defaultServiceTypes());
  t.equal(agent.controller.address, 'controller:9001');

  const composeCli = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' });
  if (composeCli.status === 0) {
    const config = spawnSync('docker', ['compose', '-f', join(ROOT, 'docker-compose.yml'), 'config', '--quiet'], { encoding: 'utf8' });
    t.equal(config.status, 0, `docker compose config: ${config.stderr}`);
  } else {
    t.comment('docker compose plugin not installed: checked with yamllint and the assertions above');
  }
});

void t.test('Dockerfile: multi-stage on node:20-slim, non-root, copies only what exists', (t) => {
  const text = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  const lines = text.split('\n').filter((l) => l.trim() !== '' && !l.trimStart().startsWith('#'));
  const froms = lines.filter((l) => l.startsWith('FROM '));
  t.ok(froms.length >= 2, 'multi-stage');
  t.ok(froms.every((l) => l.startsWith('FROM node:20-slim')), 'every stage on node:20-slim');
  const lastFrom = lines.lastIndexOf(froms[froms.length - 1]!);
  const final = lines.slice(lastFrom);
  const users = final.filter((l) => l.startsWith('USER '));
  t.same(users, ['USER 10001:10001'], 'the final stage runs as a numeric non-root user');
  t.notOk(final.some((l) => /^RUN .*npm (ci|install)(?!.*--omit=dev)/.test(l)), 'no dev dependencies installed in the final stage');
  t.ok(final.some((l) => l.startsWith('ENTRYPOINT ["node", "--initial-old-space-size=64", "/app/bin/ferry"]')), 'the entrypoint runs bin/ferry with the heap flag');
  const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
  for (const l of lines.filter((x) => x.startsWith('COPY ') && !x.includes('--from='))) {
    const sources = l.split(/\s+/).slice(1, -1);
    for (const s of sources) {
      t.ok(existsSync(join(ROOT, s)), `COPY source ${s} exists`);
      t.notOk(ignored.includes(s), `COPY source ${s} is not in .dockerignore`);
    }
  }
  t.end();
});
