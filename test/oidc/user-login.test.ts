// osprey's client, end to end: `ferry user login` with a slapd user's password through the
// osprey-compatible endpoint, a kubeconfig merged like osprey's (aliases, a kept namespace,
// 0600), real kubectl through the `ferry kubectl-credential` exec plugin (or the legacy
// auth-provider), `ferry user`, `ferry user logout`, `ferry config targets`, and the errors.
import t from 'tap';
import { spawn } from 'node:child_process';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { FERRY } from '../../testkit/processes.js';
import { HEAP_FLAG } from '../../src/cli/heap-flag.js';
import { startSlapd } from '../../testkit/slapd.js';
import { AGENT, KUBE_TOKEN, kubectl, startKubectlEnv } from '../kubectl/kubectl-env.js';

const slapd = await startSlapd();
t.teardown(() => slapd.stop());
process.env['FERRY_TEST_LDAP_PW'] = slapd.servicePassword;
const env = await startKubectlEnv(t, {
  impersonate: true,
  controller: {
    oidc: { access: [{ groups: ['devs'], agents: [AGENT] }] },
    login: {
      passwords: [{ url: slapd.url, bindDn: slapd.serviceDn, bindPassword: { env: 'FERRY_TEST_LDAP_PW' }, userBase: slapd.peopleBase }],
      clusters: [{ name: 'k1', agent: AGENT }],
    },
  },
});
const home = join(env.dir, 'home');
const kubeconfig = join(env.dir, 'user-kubeconfig');
const clientConfig = join(env.dir, 'ferry-client.yaml');
const fd = env.ferry.frontDoorUrl;
await writeFile(
  clientConfig,
  stringify({
    apiVersion: 'v2',
    kubeconfig,
    providers: {
      osprey: [
        {
          'certificate-authority': env.ferry.caFile,
          targets: {
            k1: { server: `${fd}/login/k1`, aliases: ['k1-alias'], groups: ['dev', 'all'] },
            broken: { server: `${fd}/login/nope`, groups: ['all'] },
            solo: { server: `${fd}/login/k1` },
          },
        },
      ],
    },
  }),
);
// An existing kubeconfig: another context stays, the alias context's namespace is kept.
await writeFile(
  kubeconfig,
  stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'other', cluster: { server: 'https://other.example' } }],
    users: [{ name: 'other', user: { token: 'other-token' } }],
    contexts: [
      { name: 'other', context: { cluster: 'other', user: 'other' } },
      { name: 'k1-alias', context: { cluster: 'old', user: 'old', namespace: 'kube-system' } },
    ],
    'current-context': 'other',
  }),
);

function ferry(args: string[], stdin = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [HEAP_FLAG, FERRY, ...args], { env: { PATH: process.env['PATH'], HOME: home }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}
const cfg = ['--config', clientConfig];

void t.test('config targets: --by-groups, --list-groups, a group', async (t) => {
  let r = await ferry(['config', 'targets', '--by-groups', ...cfg]);
  t.equal(r.code, 0, r.stderr);
  t.equal(r.stdout, ['Configured targets:', '* <ungrouped>', '    solo', '  all', '    broken', '    k1 | k1-alias', '  dev', '    k1 | k1-alias', ''].join('\n'));
  r = await ferry(['config', 'targets', '--list-groups', ...cfg]);
  t.equal(r.stdout, 'Configured groups:\n* <ungrouped>\n  all\n  dev\n');
  r = await ferry(['user', 'login', '--group', 'nope', ...cfg]);
  t.equal(r.code, 1);
  t.match(r.stderr, /group not found: nope/);
});

void t.test('user login: password via the login endpoint, kubeconfig merged, kubectl through the exec plugin', async (t) => {
  const r = await ferry(['user', 'login', '--group', 'dev', ...cfg], 'alice\nalice-pw-1\n');
  t.equal(r.code, 0, r.stderr);
  t.equal(r.stdout, "Logging in to group 'dev'\nLogged in to k1 | k1-alias\n");
  t.notOk(r.stdout.includes('alice-pw-1') || r.stderr.includes('alice-pw-1'));
  t.equal((await stat(kubeconfig)).mode & 0o777, 0o600, 'kubeconfig 0600');
  const doc = parse(await readFile(kubeconfig, 'utf8')) as { contexts: { name: string; context: Record<string, string> }[]; users: { name: string; user: Record<string, unknown> }[]; 'current-context': string };
  t.equal(doc['current-context'], 'other', 'the current context is left alone');
  t.same(doc.contexts.find((c) => c.name === 'k1-alias')?.context, { cluster: 'k1', user: 'k1', namespace: 'kube-system' }, 'namespace kept');
  t.ok(doc.contexts.some((c) => c.name === 'other'), 'other entries stay');
  const exec = doc.users.find((u) => u.name === 'k1')?.user['exec'] as { args: string[]; apiVersion: string };
  t.equal(exec.apiVersion, 'client.authentication.k8s.io/v1');
  t.match(exec.args, ['kubectl-credential', '--login-server', `${fd}/login/k1`]);

  const cacheDir = join(home, '.cache', 'ferry', 'tokens');
  t.equal((await stat(cacheDir)).mode & 0o777, 0o700, 'token cache folder 0700');
  const cached = (await readdir(cacheDir)).filter((f) => f.endsWith('.json'));
  t.equal(cached.length, 1, 'one cache file (issuer/client/user)');
  t.equal((await stat(join(cacheDir, cached[0]!))).mode & 0o777, 0o600, 'token cache file 0600');

  const n = env.kube.requests.length;
  const k = await kubectl(env, ['--context', 'k1', 'get', 'pods', '-n', 'default'], { kubeconfig });
  t.equal(k.code, 0, k.stderr);
  t.match(k.stdout.toString(), /web\s+1\/1/);
  const alias = await kubectl(env, ['--context', 'k1-alias', 'get', 'pods'], { kubeconfig });
  t.match(alias.stdout.toString(), /coredns-1/, 'the kept namespace applies');
  // Only kubectl's requests: the agent's own health probes carry no person.
  for (const x of env.kube.requests.slice(n).filter((r) => r.path.startsWith('/api'))) {
    t.equal(x.headers['impersonate-user'], 'alice');
    t.equal(x.headers.authorization, `Bearer ${KUBE_TOKEN}`);
  }
});

void t.test('the exec plugin answers in the version kubectl asked for, JSON only on stdout', async (t) => {
  const doc = parse(await readFile(kubeconfig, 'utf8')) as { users: { name: string; user: { exec: { args: string[] } } }[] };
  const args = doc.users.find((u) => u.name === 'k1')!.user.exec.args;
  for (const apiVersion of ['client.authentication.k8s.io/v1beta1', 'client.authentication.k8s.io/v1']) {
    const r = await new Promise<{ stdout: string; code: number | null }>((resolve) => {
      const child = spawn(process.execPath, [HEAP_FLAG, FERRY, ...args], {
        env: { PATH: process.env['PATH'], HOME: home, KUBERNETES_EXEC_INFO: JSON.stringify({ apiVersion, kind: 'ExecCredential', spec: { interactive: false } }) },
      });
      let stdout = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.on('close', (code) => resolve({ stdout, code }));
    });
    t.equal(r.code, 0);
    const answer = JSON.parse(r.stdout) as { apiVersion: string; kind: string; status: { token: string; expirationTimestamp: string } };
    t.equal(answer.apiVersion, apiVersion);
    t.equal(answer.kind, 'ExecCredential');
    t.match(answer.status.expirationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  }
});

void t.test('ferry user shows who is logged in; logout forgets the token; kubectl then says to log in', async (t) => {
  let r = await ferry(['user', '--group', 'dev', ...cfg]);
  t.match(r.stdout, /^k1: alice \[devs, ops\] \(expires \d{4}-/);
  r = await ferry(['user', 'logout', '--group', 'dev', ...cfg]);
  t.equal(r.stdout, 'Logged out from k1\n');
  r = await ferry(['user', '--group', 'dev', ...cfg]);
  t.equal(r.stdout, 'k1: none\n');
  const k = await kubectl(env, ['--context', 'k1', 'get', 'pods'], { kubeconfig });
  t.not(k.code, 0);
  t.match(k.stderr, /run `ferry user login`/);
  const again = await ferry(['user', 'logout', '--group', 'dev', ...cfg]);
  t.equal(again.code, 0, 'logging out twice is a no-op');
  t.equal(again.stdout, '');
});

void t.test('a bad password: 401 from the endpoint, a clear line, exit 1; one failing target does not stop the others', async (t) => {
  let r = await ferry(['user', 'login', '--group', 'dev', ...cfg], 'alice\nwrong-pw\n');
  t.equal(r.code, 1);
  t.match(r.stderr, /Failed to log in to k1: HTTP 401: bad username or password/);
  r = await ferry(['user', 'login', '--group', 'all', ...cfg], 'bob\nbob-pw-2\n');
  t.equal(r.code, 1, 'one target failed');
  t.match(r.stdout, /Logged in to k1 \| k1-alias/);
  t.match(r.stderr, /Failed to log in to broken: HTTP 404/);
});

void t.test("--auth-provider writes osprey's legacy oidc entry, and kubectl uses it", async (t) => {
  const r = await ferry(['user', 'login', 'solo', '--auth-provider', ...cfg], 'bob\nbob-pw-2\n');
  t.equal(r.code, 0, r.stderr);
  const doc = parse(await readFile(kubeconfig, 'utf8')) as { users: { name: string; user: Record<string, { name: string; config: Record<string, string> }> }[] };
  const ap = doc.users.find((u) => u.name === 'solo')!.user['auth-provider']!;
  t.equal(ap.name, 'oidc');
  t.equal(ap.config['client-id'], 'ferry');
  t.notOk('client-secret' in ap.config, 'no client secret');
  const k = await kubectl(env, ['--context', 'solo', 'get', 'pods'], { kubeconfig });
  t.equal(k.code, 0, k.stderr);
});

void t.test('parallel logins write one valid kubeconfig (the write is locked)', async (t) => {
  const runs = await Promise.all([1, 2, 3, 4].map(() => ferry(['user', 'login', '--group', 'dev', ...cfg], 'alice\nalice-pw-1\n')));
  for (const r of runs) t.equal(r.code, 0, r.stderr);
  const doc = parse(await readFile(kubeconfig, 'utf8')) as { users: { name: string }[]; contexts: { name: string }[] };
  t.equal(doc.users.filter((u) => u.name === 'k1').length, 1);
  t.equal(doc.contexts.filter((c) => c.name === 'k1-alias').length, 1);
});

void t.test('a bad client config names file, line and key; a default group needs every target grouped', async (t) => {
  const bad = join(env.dir, 'bad-client.yaml');
  await writeFile(bad, 'apiVersion: v2\nproviders:\n  osprey:\n    - targets:\n        k1: { server: not-a-url }\n');
  let r = await ferry(['config', 'targets', '--config', bad]);
  t.equal(r.code, 1);
  t.match(r.stderr, /bad-client\.yaml:5:\d+: providers\.osprey\[0\]\.targets\.k1\.server: /);
  await writeFile(bad, `default-group: dev\nproviders:\n  osprey:\n    - targets:\n        a: { server: "${fd}/login/k1", groups: [dev] }\n        b: { server: "${fd}/login/k1" }\n`);
  r = await ferry(['config', 'targets', '--config', bad]);
  t.match(r.stderr, /default group dev shadows ungrouped targets: b/);
});
