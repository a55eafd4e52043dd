// kubectl get/apply/delete through ferry print exactly what they print against the
// API server directly, and the agent's token (never the client's) reaches the server.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { parse as parseYaml } from 'yaml';
import { KUBE_TOKEN, kubectl, startKubectlEnv } from './kubectl-env.js';

const env = await startKubectlEnv(t);

void t.test('get pods -A, get pod -o yaml, apply -f, delete', async (t) => {
  let started = Date.now();
  const list = await kubectl(env, ['get', 'pods', '-A']);
  t.comment(`first get pods -A (cold discovery): ${Date.now() - started} ms`);
  t.equal(list.code, 0, list.stderr);
  const lines = list.stdout.toString().trim().split('\n');
  t.equal(lines.length, 3, list.stdout.toString());
  t.match(lines[0], /^NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
  t.match(lines[1], /^default\s+web\s+1\/1\s+Running\s+0\s+\d+s$/);
  t.match(lines[2], /^kube-system\s+coredns-1\s+1\/1\s+Running\s+0\s+\d+s$/);
  started = Date.now();
  const warm = await kubectl(env, ['get', 'pods', '-A']);
  t.comment(`warm get pods -A: ${Date.now() - started} ms`);
  t.equal(warm.code, 0, warm.stderr);

  const yaml = await kubectl(env, ['get', 'pod', 'web', '-o', 'yaml']);
  t.equal(yaml.code, 0, yaml.stderr);
  const pod = parseYaml(yaml.stdout.toString()) as { apiVersion: string; kind: string; metadata: { name: string; namespace: string; labels: Record<string, string> }; spec: { containers: { image: string }[] }; status: { phase: string } };
  t.equal(pod.apiVersion, 'v1');
  t.equal(pod.kind, 'Pod');
  t.same([pod.metadata.name, pod.metadata.namespace, pod.status.phase], ['web', 'default', 'Running']);
  t.same(pod.metadata.labels, { app: 'web' });
  t.equal(pod.spec.containers[0]?.image, 'nginx:1.27');

  const missing = await kubectl(env, ['get', 'pod', 'nope']);
  t.equal(missing.code, 1);
  t.equal(missing.stderr.trim(), 'Error from server (NotFound): pods "nope" not found', 'the upstream Status passes through');

  const manifest = join(env.dir, 'app.yaml');
  const write = (image: string): Promise<void> =>
    writeFile(manifest, `apiVersion: v1\nkind: Pod\nmetadata:\n  name: app\nspec:\n  containers:\n  - name: main\n    image: ${image}\n`);
  await write('busybox:1.36');
  const created = await kubectl(env, ['apply', '-f', manifest]);
  t.equal(created.code, 0, created.stderr);
  t.equal(created.stdout.toString(), 'pod/app created\n');
  await write('busybox:1.37');
  const updated = await kubectl(env, ['apply', '-f', manifest]);
  t.equal(updated.code, 0, updated.stderr);
  t.equal(updated.stdout.toString(), 'pod/app configured\n');
  const after = env.kube.getPod('default', 'app') as { spec: { containers: { image: string }[] } };
  t.equal(after.spec.containers[0]?.image, 'busybox:1.37', 'the PATCH arrived');
  const again = await kubectl(env, ['apply', '-f', manifest]);
  t.equal(again.stdout.toString(), 'pod/app unchanged\n');
  const patch = env.kube.requests.find((r) => r.method === 'PATCH');
  t.equal(patch?.headers['content-type'], 'application/strategic-merge-patch+json', 'content type intact');

  const del = await kubectl(env, ['delete', 'pod', 'app']);
  t.equal(del.code, 0, del.stderr);
  t.equal(del.stdout.toString(), 'pod "app" deleted\n');
  t.equal(env.kube.getPod('default', 'app'), undefined);
  const gone = await kubectl(env, ['delete', 'pod', 'app']);
  t.equal(gone.code, 1);
  t.equal(gone.stderr.trim(), 'Error from server (NotFound): pods "app" not found');

  t.ok(env.kube.requests.length > 10, `${env.kube.requests.length} requests reached the stand-in`);
  t.ok(env.kube.requests.every((r) => r.headers.authorization === `Bearer ${KUBE_TOKEN}`), "every request carried the agent's token");
  t.notOk(env.kube.requests.some((r) => JSON.stringify(r.headers).includes(env.clientToken)), "the client's ferry token never reached the server");
  t.ok(env.kube.requests.some((r) => r.path.startsWith('/version') && String(r.headers['user-agent']).startsWith('kubectl-dispatcher')), 'the dispatcher asked /version through ferry');
  t.notOk(env.kube.requests.some((r) => 'impersonate-user' in r.headers), 'no impersonation when it is off');
});

void t.test('a kubeconfig with a wrong token is refused by ferry, never reaching the server', async (t) => {
  const bad = join(env.dir, 'bad-kubeconfig');
  const text = await readFile(env.kubeconfig, 'utf8');
  await writeFile(bad, text.replace(env.clientToken, `${env.clientToken.slice(0, -4)}AAAA`));
  const before = env.kube.requests.length;
  const r = await kubectl(env, ['get', 'pods'], { kubeconfig: bad });
  t.equal(r.code, 1);
  t.match(r.stderr, /error: You must be logged in to the server|Unauthorized|credentials/);
  t.equal(env.kube.requests.length, before, 'nothing reached the stand-in');
});
