// People through the front door, checked by the operator's auth webhook (issue 14): curl and
// kubectl with a Basic password (→ /password), kubectl with an opaque bearer token (→ /token)
// reach `/agents/<agent>/<type>/<name>/…`, the webhook's /authz decides the route, and the
// agent impersonates the person it named. The webhook server is built with ferry's own
// helpers and spoken to over mutual TLS with certificates from ferry's CA.
import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { stringify } from 'yaml';
import { createCA } from '../../src/pki/index.js';
import { createAuthWebhookHandler, createConfigWebhookHandler, createWebhookServer, type AuthzRequest, type CallerConfig } from '../../src/webhooks/index.js';
import { startTunnelEnv } from '../../testkit/tunnel-env.js';
import { startKubeApiServer, type RecordedRequest } from '../fixtures/kube-apiserver/index.js';

const KUBE_TOKEN = 'standin-sa-token-webhooks';
const PASSWORD = 'correct-horse-battery';
const ROBOT_TOKEN = 'opaque-ci-token-5a1f';

const ca = await createCA();
const serverCert = await ca.issueServer({ dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
const clientCert = await ca.issueClient({ kind: 'controller' });
const authz: AuthzRequest[] = [];
const webhook = createWebhookServer({
  tls: { cert: serverCert.certPem, key: serverCert.keyPem, ca: ca.certPem, requireClientCert: true },
  handler: createAuthWebhookHandler({
    onPassword: (req) =>
      req.password === PASSWORD && ['alice', 'bob', 'carol', 'dave', 'erin'].includes(req.username)
        ? { success: true, authenticatedUsername: `${req.username}@corp`, metadata: { groups: { value: req.username === 'alice' ? 'devs,qa' : 'guests', sensitive: false } } }
        : false,
    onToken: (req) => (req.token === ROBOT_TOKEN ? { success: true, authenticatedUsername: 'ci-robot', metadata: { groups: { value: 'ci', sensitive: false } } } : false),
    onAuthz: (req) => {
      authz.push(req);
      return req.authenticatedUsername !== 'bob@corp';
    },
  }),
});
const webhookUrl = await webhook.listen();
t.teardown(() => webhook.close());
// Each person's own configuration; alice, bob and the robot get none (no opinion).
const PER_PERSON: Record<string, CallerConfig> = {
  'carol@corp': { routes: ['k1/kubernetes/*'], impersonation: { user: 'carol-sre', groups: ['sre'] }, rateLimits: { requestsPerSecond: 1, burst: 2 } },
  'dave@corp': { agents: ['some-other-agent'] },
  'erin@corp': { streamLimits: { maxConcurrentStreams: 2 } },
};
const configHook = createWebhookServer({
  tls: { cert: serverCert.certPem, key: serverCert.keyPem, ca: ca.certPem, requireClientCert: true },
  handler: createConfigWebhookHandler((req) => PER_PERSON[req.authenticatedUsername] ?? {}),
});
const configUrl = await configHook.listen();
t.teardown(() => configHook.close());

const files = await mkdtemp(join(tmpdir(), 'ferry-webhook-e2e-'));
t.teardown(() => rm(files, { recursive: true, force: true }));
await writeFile(join(files, 'webhook-client.crt'), clientCert.certPem);
await writeFile(join(files, 'webhook-client.key'), clientCert.keyPem, { mode: 0o600 });

const kube = await startKubeApiServer({ token: KUBE_TOKEN });
t.teardown(() => kube.close());
kube.createPod('default', { metadata: { name: 'web', labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] } });

const env = await startTunnelEnv(
  {
    webhooks: {
      auth: { url: webhookUrl, cert: join(files, 'webhook-client.crt'), key: join(files, 'webhook-client.key'), retryInterval: '200ms', deadline: '2s' },
      config: { url: configUrl, cert: join(files, 'webhook-client.crt'), key: join(files, 'webhook-client.key'), retryInterval: '200ms', deadline: '2s', cacheTtl: '1m' },
    },
  },
  { ca },
);
t.teardown(() => env.close());
const tokenFile = join(env.dir, 'kube-sa-token');
const caFile = join(env.dir, 'kube-ca.crt');
await writeFile(tokenFile, `${KUBE_TOKEN}\n`, { mode: 0o600 });
await writeFile(caFile, kube.caPem);
await env.startAgent('k1', [{ type: 'kubernetes', name: 'default', url: kube.url, kubernetes: { inCluster: { tokenFile, caFile }, impersonate: true } }]);

const base = `${env.frontDoorUrl}/agents/k1/kubernetes/default`;
const impersonation = (r: RecordedRequest | undefined): Record<string, unknown> =>
  Object.fromEntries(Object.entries(r?.headers ?? {}).filter(([k]) => k.startsWith('impersonate-')));

function curl(args: string[]): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    execFile('curl', ['-s', '--cacert', join(env.dir, 'ca.crt'), '-w', '\n%{http_code}', ...args], (err, stdout) => {
      if (err) return reject(new Error(`curl failed: ${err.message}`));
      const nl = stdout.lastIndexOf('\n');
      resolve({ status: Number(stdout.slice(nl + 1)), body: stdout.slice(0, nl) });
    });
  });
}

void t.test('curl with a Basic password: the webhook names the person, the agent impersonates them', async (t) => {
  const n = kube.requests.length;
  const res = await curl(['-u', `alice:${PASSWORD}`, `${base}/api/v1/namespaces/default/pods`]);
  t.equal(res.status, 200, res.status === 200 ? 'served' : res.body);
  t.match(JSON.parse(res.body), { kind: 'PodList', items: [{ metadata: { name: 'web' } }] });
  const seen = kube.requests.slice(n);
  t.equal(seen.length, 1);
  t.equal(seen[0]?.path, '/api/v1/namespaces/default/pods', 'the routing prefix was taken off');
  t.equal(seen[0]?.headers.authorization, `Bearer ${KUBE_TOKEN}`, "the agent's credential, not the client's");
  t.same(impersonation(seen[0]), { 'impersonate-user': 'alice@corp', 'impersonate-group': 'devs, qa' });
  const asked = authz.at(-1);
  t.equal(asked?.authenticatedUsername, 'alice@corp');
  t.equal(asked?.metadata?.['route']?.value, 'k1/kubernetes/default', '/authz was asked about the route');
  t.match(asked?.remoteAddress, /^127\.0\.0\.1:\d+$/, "the client's ip:port");
});

void t.test('a wrong password is 401, a person /authz refuses is 403, a bad route is 404', async (t) => {
  const n = kube.requests.length;
  const wrong = await curl(['-u', 'alice:not-it', `${base}/api/v1/namespaces/default/pods`]);
  t.equal(wrong.status, 401);
  t.match(JSON.parse(wrong.body), { error: { code: 'FERRY_ERR_UNAUTHENTICATED' } });
  const bob = await curl(['-u', `bob:${PASSWORD}`, `${base}/api/v1/namespaces/default/pods`]);
  t.equal(bob.status, 403);
  t.match(JSON.parse(bob.body), { error: { code: 'FERRY_ERR_FORBIDDEN' } });
  const nowhere = await curl(['-u', `alice:${PASSWORD}`, `${env.frontDoorUrl}/api/v1/pods`]);
  t.equal(nowhere.status, 404, 'a person must name the route in the URL');
  t.equal(kube.requests.length, n, 'none of these reached the API server');
  const logs = env.controller.raw.join('\n');
  t.notOk(logs.includes(PASSWORD) || logs.includes('not-it'), 'no password in the controller log');
});

async function kubectlAs(user: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const home = join(env.dir, 'home');
  await mkdir(home, { recursive: true });
  const kubeconfig = join(env.dir, `kubeconfig-${Object.keys(user).join('-')}`);
  await writeFile(
    kubeconfig,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'k1', cluster: { server: base, 'certificate-authority': join(env.dir, 'ca.crt') } }],
      users: [{ name: 'person', user }],
      contexts: [{ name: 'k1', context: { cluster: 'k1', user: 'person', namespace: 'default' } }],
      'current-context': 'k1',
    }),
  );
  return new Promise((resolve) => {
    const child = spawn('kubectl', ['get', 'pods'], { env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home, KUBECONFIG: kubeconfig } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

for (const [how, user, person, groups, secret] of [
  ['a Basic password (→ /password)', { username: 'alice', password: PASSWORD }, 'alice@corp', 'devs, qa', PASSWORD],
  ['an opaque bearer token (→ /token)', { token: ROBOT_TOKEN }, 'ci-robot', 'ci', ROBOT_TOKEN],
] as const) {
  void t.test(`kubectl with ${how}, through the same route`, async (t) => {
    const n = kube.requests.length;
    const out = await kubectlAs(user);
    t.equal(out.code, 0, out.stderr);
    t.match(out.stdout, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\nweb\s+1\/1\s+Running/);
    const list = kube.requests.slice(n).find((r) => r.path.startsWith('/api/v1/namespaces/default/pods'));
    t.ok(list, 'the list reached the stand-in');
    t.same(impersonation(list), { 'impersonate-user': person, 'impersonate-group': groups });
    t.notOk(JSON.stringify(kube.requests.slice(n)).includes(secret), "the client's credential never reaches the API server");
  });
}

void t.test("the config webhook: a person's routes, who they act as upstream, their request rate", async (t) => {
  const n = kube.requests.length;
  const url = `${base}/api/v1/namespaces/default/pods`;
  const first = await curl(['-u', `carol:${PASSWORD}`, url]);
  t.equal(first.status, 200, first.body.slice(0, 200));
  t.same(impersonation(kube.requests[n]), { 'impersonate-user': 'carol-sre', 'impersonate-group': 'sre' }, 'acts as the mapped user and groups');
  const second = await curl(['-u', `carol:${PASSWORD}`, url]);
  t.equal(second.status, 200, 'within the burst');
  const third = await curl(['-u', `carol:${PASSWORD}`, url]);
  t.equal(third.status, 429, 'over one a second after a burst of two');
  t.match(JSON.parse(third.body), { error: { code: 'FERRY_ERR_RATE_LIMITED' } });
  const dave = await curl(['-u', `dave:${PASSWORD}`, url]);
  t.equal(dave.status, 403, 'an agent outside the person\'s list');
  t.match(JSON.parse(dave.body), { error: { code: 'FERRY_ERR_FORBIDDEN', message: /config webhook/ } });
  t.equal(kube.requests.length, n + 2, 'only the two allowed requests reached the API server');
});

void t.test("the config webhook's stream limit: open requests per person, each counted until it ends", async (t) => {
  const url = `${base}/api/v1/namespaces/default/pods`;
  const watchers = [0, 1].map(() =>
    spawn('curl', ['-sN', '--cacert', join(env.dir, 'ca.crt'), '-u', `erin:${PASSWORD}`, `${url}?watch=1`], { stdio: ['ignore', 'pipe', 'ignore'] }),
  );
  t.teardown(() => watchers.forEach((w) => w.kill()));
  // Each watch sends its first event (ADDED web) once it is through the tunnel.
  await Promise.all(watchers.map((w) => new Promise((resolve) => w.stdout.once('data', resolve))));
  const third = await curl(['-u', `erin:${PASSWORD}`, url]);
  t.equal(third.status, 429, 'a third request while two watches are open');
  t.match(JSON.parse(third.body), { error: { code: 'FERRY_ERR_RATE_LIMITED', message: /2 requests open \(the limit is 2\)/ } });
  const other = await curl(['-u', `alice:${PASSWORD}`, url]);
  t.equal(other.status, 200, "another person's requests are not counted");
  const ended = new Promise((resolve) => watchers[0]!.once('exit', resolve));
  watchers[0]!.kill();
  await ended;
  // The controller hears of the client's close a moment later.
  let after = await curl(['-u', `erin:${PASSWORD}`, url]);
  for (let i = 0; i < 50 && after.status === 429; i++) {
    await new Promise((r) => setTimeout(r, 100));
    after = await curl(['-u', `erin:${PASSWORD}`, url]);
  }
  t.equal(after.status, 200, 'a slot is given back when a watch ends');
  const again = await curl(['-u', `erin:${PASSWORD}`, url]);
  t.equal(again.status, 200, 'a plain request gives its slot back too');
});
