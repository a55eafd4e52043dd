// kubectl exec/cp/attach through ferry: WebSocket (v5.channel.k8s.io) upgrades carried
// end to end; bytes and exit codes come back exactly as from the API server directly.
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { KUBE_TOKEN, kubectl, kubectlLong, sha, startKubectlEnv, until } from './kubectl-env.js';

const env = await startKubectlEnv(t);

void t.test('exec -i -- cat round-trips 10 MiB byte for byte', async (t) => {
  const data = randomBytes(10 * 1024 * 1024);
  const started = Date.now();
  const cat = await kubectl(env, ['exec', '-i', 'web', '--', 'cat'], { stdin: data, timeoutMs: 120_000 });
  t.comment(`10 MiB exec -i cat round trip through ferry: ${Date.now() - started} ms`);
  t.equal(cat.code, 0, cat.stderr);
  t.equal(cat.stderr, '');
  t.equal(cat.stdout.length, data.length, 'every byte came back');
  t.equal(sha(cat.stdout), sha(data), 'byte for byte');
  const upgrade = env.kube.requests.find((r) => r.path.includes('/pods/web/exec?'));
  t.equal(upgrade?.method, 'GET');
  t.equal(upgrade?.upgrade?.toLowerCase(), 'websocket', 'WebSocket, no fallback needed');
  t.match(upgrade?.headers['sec-websocket-protocol'], /v5\.channel\.k8s\.io/, 'subprotocols offered intact');
  t.equal(upgrade?.headers.authorization, `Bearer ${KUBE_TOKEN}`, "the agent's token on the upgrade");
  await until(() => env.kube.openWebSockets === 0, 10_000, 'upstream WebSocket closed');
});

void t.test("a command's exit code becomes kubectl's exit code", async (t) => {
  const echo = await kubectl(env, ['exec', 'web', '--', 'echo', 'hello', 'world']);
  t.equal(echo.code, 0, echo.stderr);
  t.equal(echo.stdout.toString(), 'hello world\n');

  for (const n of [1, 7, 42]) {
    const r = await kubectl(env, ['exec', 'web', '--', 'sh', '-c', `exit ${n}`]);
    t.equal(r.code, n, `exit ${n}`);
    t.equal(r.stderr.trim(), `command terminated with exit code ${n}`);
  }

  const nosuch = await kubectl(env, ['exec', 'web', '--', 'nosuch']);
  t.equal(nosuch.code, 1);
  t.match(nosuch.stderr, 'executable file not found in $PATH');

  const missing = await kubectl(env, ['exec', 'ghost', '--', 'true']);
  t.equal(missing.code, 1);
  t.equal(missing.stderr.trim(), 'Error from server (NotFound): pods "ghost" not found');
});

void t.test('cp a 20 MiB file into and out of a pod', async (t) => {
  const data = randomBytes(20 * 1024 * 1024);
  const local = join(env.dir, 'blob');
  await writeFile(local, data);
  let started = Date.now();
  const up = await kubectl(env, ['cp', local, 'web:/tmp/blob'], { timeoutMs: 120_000 });
  t.comment(`cp 20 MiB into the pod: ${Date.now() - started} ms`);
  t.equal(up.code, 0, up.stderr);
  t.equal(sha(await readFile(join(await env.kube.podRoot('default', 'web'), 'tmp', 'blob'))), sha(data), 'landed in the pod byte for byte');

  const back = join(env.dir, 'back');
  started = Date.now();
  const down = await kubectl(env, ['cp', 'web:/tmp/blob', back], { timeoutMs: 120_000 });
  t.comment(`cp 20 MiB out of the pod: ${Date.now() - started} ms`);
  t.equal(down.code, 0, down.stderr);
  t.equal(sha(await readFile(back)), sha(data), 'came back byte for byte');
});

void t.test('attach streams what the pod writes', async (t) => {
  const a = kubectlLong(env, ['attach', 'web']);
  t.teardown(() => void a.child.kill('SIGKILL'));
  await until(() => env.kube.openWebSockets === 1, 20_000, 'attach WebSocket open');
  env.kube.appendLog('default', 'web', 'attached hello\n');
  await a.waitFor('attached hello\n');
  const up = env.kube.requests.find((r) => r.path.includes('/pods/web/attach?'));
  t.equal(up?.upgrade?.toLowerCase(), 'websocket');
  a.child.kill('SIGKILL');
  await a.exited;
  await until(() => env.kube.openWebSockets === 0, 10_000, 'killing kubectl closed the upstream WebSocket');
  t.equal(env.kube.openWebSockets, 0);
});
