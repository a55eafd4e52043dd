// `ferry get-creds kubectl` merges a kubeconfig like osprey does, and real kubectl uses
// it through the tunnel to a stand-in kube-apiserver.
import { execFile } from 'node:child_process';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { decodeJwt } from 'jose';
import t from 'tap';
import { parse, stringify } from 'yaml';
import { startKubeApiServer } from '../fixtures/kube-apiserver/index.js';
import { startControlEnv } from './control-env.js';

const run = promisify(execFile);
const kube = await startKubeApiServer();
const env = await startControlEnv();
t.teardown(async () => {
  await env.close();
  await kube.close();
});
const kubeCa = join(env.dir, 'kube-ca.crt');
await writeFile(kubeCa, kube.caPem);
await env.startAgent('k1', [{ type: 'kubernetes', name: 'default', url: kube.url, tls: { caFile: kubeCa } }]);

interface Named {
  name: string;
  [k: string]: unknown;
}
interface KubeconfigDoc {
  clusters: Named[];
  users: Named[];
  contexts: { name: string; context: { cluster: string; user: string; namespace?: string } }[];
  'current-context': string;
}

void t.test('get-creds kubectl merges by name, keeps a namespace, and kubectl works through the tunnel', async (t) => {
  const file = join(env.dir, 'kube', 'config');
  const existing = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      { name: 'other', cluster: { server: 'https://other.example:6443' } },
      { name: 'ferry-k1-default', cluster: { server: 'https://stale.example' } },
    ],
    users: [{ name: 'other', user: { token: 'keep-me' } }],
    contexts: [
      { name: 'other', context: { cluster: 'other', user: 'other' } },
      { name: 'ferry-k1-default', context: { cluster: 'ferry-k1-default', user: 'ferry-k1-default', namespace: 'team-a' } },
    ],
    'current-context': 'other',
  };
  const { mkdir } = await import('node:fs/promises');
  await mkdir(join(env.dir, 'kube'));
  await writeFile(file, stringify(existing));

  const res = await env.cli(['get-creds', 'kubectl', '--agent', 'k1', '--kubeconfig', file, '--user', 'alice', '--group', 'devs', '--group', 'system:viewers']);
  t.equal(res.code, 0, res.stderr);
  t.match(res.stdout, /wrote context ferry-k1-default/);
  t.equal((await stat(file)).mode & 0o777, 0o600);
  const doc = parse(await readFile(file, 'utf8')) as KubeconfigDoc;
  t.same(doc.clusters.map((c) => c.name), ['other', 'ferry-k1-default'], 'updated in place, nothing duplicated');
  t.same(doc.users.find((u) => u.name === 'other'), existing.users[0], 'other entries untouched');
  t.equal(doc['current-context'], 'other', 'the current context stays');
  const ctx = doc.contexts.find((c) => c.name === 'ferry-k1-default');
  t.equal(ctx?.context.namespace, 'team-a', "the context's namespace is kept");
  const cluster = doc.clusters.find((c) => c.name === 'ferry-k1-default')?.cluster as { server: string };
  t.equal(cluster.server, `https://localhost:${env.ports.frontDoor}`);
  const token = (doc.users.find((u) => u.name === 'ferry-k1-default')?.user as { token: string }).token;
  const claims = decodeJwt(token);
  t.match(claims, { sub: 'alice', groups: ['devs', 'system:viewers'], purpose: 'kubectl', agent: 'k1', type: 'kubernetes', name: 'default' });
  t.ok(typeof claims.exp === 'number' && claims.exp - Date.now() / 1000 <= 12 * 3600 + 5, 'expires (kubectlTtl)');

  const { stdout } = await run('kubectl', ['--kubeconfig', file, '--context', 'ferry-k1-default', 'get', '--raw', '/version'], { timeout: 30_000 });
  t.match(JSON.parse(stdout), { gitVersion: /^v1\.\d+/ });
  const seen = kube.requests.filter((r) => r.path === '/version');
  t.ok(seen.length > 0, 'the request reached the kube-apiserver');
  t.notOk(seen.some((r) => String(r.headers.authorization ?? '').includes(token)), 'the ferry token stays at the controller');

  const pods = await run('kubectl', ['--kubeconfig', file, '--context', 'ferry-k1-default', 'get', 'pods', '-o', 'name'], { timeout: 30_000 });
  t.equal(pods.stderr.includes('error'), false, pods.stderr);
  t.ok(kube.requests.some((r) => r.path.startsWith('/api/v1/namespaces/team-a/pods')), 'kubectl used the kept namespace');
});

void t.test('kubectl refuses are JSON errors and nothing is issued', async (t) => {
  const cases: [Record<string, unknown>, number, RegExp][] = [
    [{ agent: 'nobody', name: 'default' }, 404, /unknown agent/],
    [{ agent: 'k1', name: 'missing' }, 404, /no kubernetes service named missing/],
    [{ agent: 'K1', name: 'default' }, 400, /invalid agent name/],
    [{ agent: 'k1', name: 'a/b' }, 400, /invalid service name/],
    [{ agent: 'k1', name: 'default', groups: ['bad group'] }, 400, /invalid group/],
    [{ agent: 'k1', name: 'default', extra: 1 }, 400, /extra/],
  ];
  const logLines = env.controller.lines.length;
  for (const [body, status, message] of cases) {
    const r = await env.call('POST', '/api/v1/credentials/kubectl', body);
    t.equal(r.status, status, JSON.stringify(body));
    t.match(r.json, { error: { code: /^FERRY_ERR_/, message } });
    t.notOk('token' in r.json);
  }
  await env.controller.waitFor((l) => env.controller.lines.indexOf(l) >= logLines && l.msg === 'control API: request refused' && /invalid group/.test(String(l.reason)));
  t.notOk(env.controller.lines.slice(logLines).some((l) => l.msg === 'control API: credential issued'), 'nothing issued');
  const cli = await env.cli(['get-creds', 'kubectl', '--agent', 'nobody', '--stdout']);
  t.equal(cli.code, 1);
  t.match(cli.stderr, /404 FERRY_ERR_NOT_FOUND.*unknown agent "nobody"/);
});
