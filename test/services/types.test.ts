// Every service type through a real controller and agent to recording upstreams: exactly
// which headers arrive (the agent's credential present; the client's Authorization,
// Proxy-Authorization, Impersonate-*, ferry headers and hop-by-hop absent), impersonation
// from a certificate user and a JWT subject, X-Spinnaker-User rules, SigV4 that
// verifies, credential rotation without a restart, exec-plugin caching, and a missing
// credential answered 503 and recovered — with no secret ever in the agent's output.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { request as httpsRequest } from 'node:https';
import { request, type Agent } from 'undici';
import { stringify } from 'yaml';
import { identityToUri } from '../../src/pki/index.js';
import { frontDoorClient } from '../../testkit/client.js';
import { startTunnelEnv, type ServiceSpec } from '../../testkit/tunnel-env.js';
import { eventually, startRecorder, type Recorded } from './recorder.js';
import { verifySigV4 } from './sigv4-verify.js';

const run = promisify(execFile);
const env = await startTunnelEnv();
const dir = await mkdtemp(join(tmpdir(), 'ferry-types-'));
const server = await env.ca.issueServer({ dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
const https = await startRecorder({ cert: server.certPem, key: server.keyPem, ca: env.ca.certPem, requestCert: true });
const http = await startRecorder();
await writeFile(join(dir, 'ca.crt'), env.ca.certPem);

// Secrets: each one is looked for in the agent's output at the end.
const SECRETS = {
  sa1: 'sa-token-ONE-9f8e7d',
  sa2: 'sa-token-TWO-1a2b3c',
  kc: 'kubeconfig-token-5e5e5e',
  jenkins1: 'jenkins-api-token-AAAA1111',
  jenkins2: 'jenkins-api-token-BBBB2222',
  argo: 'argocd-token-CCCC3333',
  xtoken: 'x-token-DDDD4444',
  awsSecret: 'aws/secret+KEY-EEEE5555',
};
const AWS_KEY_ID = 'AKIDTYPESTEST';

// In-cluster service account: a projected-token style mount with a ..data symlink.
const sa = join(dir, 'serviceaccount');
await mkdir(join(sa, '..v1'), { recursive: true });
await writeFile(join(sa, '..v1', 'token'), SECRETS.sa1);
await writeFile(join(sa, '..v1', 'ca.crt'), env.ca.certPem);
await symlink('..v1', join(sa, '..data'));
await symlink('..data/token', join(sa, 'token'));
await symlink('..data/ca.crt', join(sa, 'ca.crt'));

// Kubeconfigs: a token, a client certificate, an exec plugin.
const kcCert = await env.ca.issueClient({ kind: 'agent', agent: 'kube-sa' });
const b64 = (s: string) => Buffer.from(s).toString('base64');
function kubeconfig(path: string, user: Record<string, unknown>): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': 'c',
    clusters: [{ name: 'k', cluster: { server: `${https.url}${path}`, 'certificate-authority': 'ca.crt' } }],
    users: [{ name: 'u', user }],
    contexts: [{ name: 'c', context: { cluster: 'k', user: 'u' } }],
  });
}
await writeFile(join(dir, 'kc-token.yaml'), kubeconfig('/kctoken', { token: SECRETS.kc }));
await writeFile(join(dir, 'kc-cert.yaml'), kubeconfig('/kccert', { 'client-certificate-data': b64(kcCert.certPem), 'client-key-data': b64(kcCert.keyPem) }));
await writeFile(
  join(dir, 'exec-plugin.mjs'),
  `import { readFileSync, writeFileSync } from 'node:fs';
const f = process.argv[2];
let n = 0;
try { n = Number(readFileSync(f, 'utf8')); } catch {}
n++;
writeFileSync(f, String(n));
const info = JSON.parse(process.env.KUBERNETES_EXEC_INFO);
const expirationTimestamp = new Date(Date.now() + Number(process.env.TTL_MS)).toISOString();
process.stdout.write(JSON.stringify({ apiVersion: info.apiVersion, kind: 'ExecCredential', status: { token: 'exec-token-' + n, expirationTimestamp } }));
`,
);
await writeFile(
  join(dir, 'kc-exec.yaml'),
  kubeconfig('/kcexec', {
    exec: {
      apiVersion: 'client.authentication.k8s.io/v1',
      command: process.execPath,
      args: ['exec-plugin.mjs', join(dir, 'exec-runs')],
      // The agent refreshes 10 s before expiry: this token is good for ~1.5 s.
      // 4 s of freshness (TTL − the 10 s early refresh): a loaded machine took > 1.5 s for two requests.
      env: [{ name: 'TTL_MS', value: '14000' }],
    },
  }),
);

// Other credentials: a file, a Secret mount (file per key), an env var, client cert files.
await writeFile(join(dir, 'jenkins-token'), `${SECRETS.jenkins1}\n`);
await mkdir(join(dir, 'argocd-secret'));
await writeFile(join(dir, 'argocd-secret', 'token'), SECRETS.argo);
await writeFile(join(dir, 'aws-secret'), SECRETS.awsSecret);
process.env['FERRY_TEST_X_TOKEN'] = SECRETS.xtoken;
process.env['FERRY_TEST_AWS_KEY'] = AWS_KEY_ID;
const xCert = await env.ca.issueClient({ kind: 'agent', agent: 'x-cert-client' });
await writeFile(join(dir, 'x.crt'), xCert.certPem);
await writeFile(join(dir, 'x.key'), xCert.keyPem);

const noProbe = { enabled: false };
/** Kubeconfig services take the server from the kubeconfig: no url. */
const urlFromKubeconfig = (spec: Omit<ServiceSpec, 'url'>) => spec as ServiceSpec;
const agent = await env.startAgent('a1', [
  { type: 'kubernetes', name: 'incluster', url: `${https.url}/incluster`, kubernetes: { inCluster: { tokenFile: join(sa, 'token'), caFile: join(sa, 'ca.crt') }, impersonate: true }, health: noProbe },
  urlFromKubeconfig({ type: 'kubernetes', name: 'kctoken', kubernetes: { kubeconfig: { file: join(dir, 'kc-token.yaml') } }, health: noProbe }),
  urlFromKubeconfig({ type: 'kubernetes', name: 'kccert', kubernetes: { kubeconfig: { file: join(dir, 'kc-cert.yaml') } }, health: noProbe }),
  urlFromKubeconfig({ type: 'kubernetes', name: 'kcexec', kubernetes: { kubeconfig: { file: join(dir, 'kc-exec.yaml') } }, health: noProbe }),
  { type: 'jenkins', name: 'ci', url: `${http.url}/jenkins`, credential: { kind: 'basic', username: 'ferry', password: { file: join(dir, 'jenkins-token') } }, health: noProbe },
  { type: 'argocd', name: 'cd', url: `${http.url}/argocd`, credential: { kind: 'bearer', token: { secret: { dir: join(dir, 'argocd-secret'), key: 'token' } } }, health: noProbe },
  { type: 'x-api', name: 'tok', url: `${http.url}/xtoken`, credential: { kind: 'token', token: { env: 'FERRY_TEST_X_TOKEN' } }, health: noProbe },
  { type: 'x-mtls', name: 'cert', url: `${https.url}/xcert`, tls: { caFile: join(dir, 'ca.crt') }, credential: { kind: 'clientCertificate', cert: { file: join(dir, 'x.crt') }, key: { file: join(dir, 'x.key') } }, health: noProbe },
  { type: 'x-plain', name: 'none', url: `${http.url}/none`, health: noProbe },
  { type: 'clouddriver', name: 'spin', url: `${http.url}/spin`, health: noProbe },
  { type: 'aws', name: 'sts', url: `${http.url}/aws`, aws: { region: 'eu-west-1', service: 'sts', accessKeyId: { env: 'FERRY_TEST_AWS_KEY' }, secretAccessKey: { file: join(dir, 'aws-secret') } }, health: noProbe },
]);
const client = frontDoorClient(env.ca.certPem);
const clients: Agent[] = [client];
t.teardown(async () => {
  for (const c of clients) await c.close();
  await env.close();
  await https.close();
  await http.close();
  await rm(dir, { recursive: true, force: true });
});

/** What a hostile client adds: its own credentials, impersonation, ferry's and hop-by-hop headers. */
const SMUGGLED = {
  'proxy-authorization': 'Basic Y2xpZW50OnNlY3JldA==',
  'impersonate-user': 'root',
  'impersonate-group': 'system:masters',
  'impersonate-uid': '0',
  'impersonate-extra-scopes': 'all',
  'x-opsmx-token': 'birger-token',
  connection: 'keep-alive, x-hop',
  'x-hop': 'hop-by-hop by Connection',
  'keep-alive': 'timeout=5',
  te: 'trailers',
  'proxy-connection': 'keep-alive',
  'x-custom': 'kept',
};

/** Headers every request has on arrival, whatever the type (undici adds connection). */
const BASE = ['connection', 'host', 'via', 'x-custom', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto'];

async function certClient(type: string, name: string): Promise<Agent> {
  const c = frontDoorClient(env.ca.certPem, await env.serviceCert('a1', type, name));
  clients.push(c);
  return c;
}

/**
 * Sends with node:https so every header goes out as written (undici drops a client's
 * Connection header, which would hide the hop-by-hop check).
 */
function rawRequest(path: string, headers: Record<string, string>, tls: { cert?: string; key?: string } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(`${env.frontDoorUrl}${path}`, { ca: env.ca.certPem, servername: 'localhost', agent: false, headers, ...tls }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const pems = new Map<string, { cert: string; key: string }>();
async function viaCert(type: string, name: string, path: string, extraHeaders: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  let pem = pems.get(`${type}/${name}`);
  if (!pem) {
    const files = await env.serviceCert('a1', type, name);
    pem = { cert: await readFile(files.cert, 'utf8'), key: await readFile(files.key, 'utf8') };
    pems.set(`${type}/${name}`, pem);
  }
  return rawRequest(path, { authorization: 'Bearer client-own-token', ...SMUGGLED, ...extraHeaders }, pem);
}

async function viaToken(type: string, name: string, path: string, opts: { sub?: string; groups?: string[] } = {}, extraHeaders: Record<string, string> = {}) {
  const token = await env.token('a1', type, name, opts);
  return rawRequest(path, { 'x-ferry-token': token, ...SMUGGLED, ...extraHeaders });
}

function names(r: Recorded): string[] {
  return [...r.headers.keys()].sort();
}
const one = (r: Recorded, h: string) => r.headers.get(h)?.[0];
const basic = (user: string, pw: string) => `Basic ${Buffer.from(`${user}:${pw}`).toString('base64')}`;

void t.test('kubernetes in-cluster with impersonation: SA token, caller as Impersonate-*, no smuggled group', async (t) => {
  const res = await viaToken('kubernetes', 'incluster', '/api/v1/pods', { sub: 'bob@example.com', groups: ['dev', 'ops'] });
  t.equal(res.status, 200, res.body);
  const got = https.last('/incluster/api/v1/pods');
  t.same(names(got), [...BASE, 'authorization', 'impersonate-group', 'impersonate-user'].sort(), 'exactly these headers');
  t.equal(one(got, 'authorization'), `Bearer ${SECRETS.sa1}`);
  t.same(got.headers.get('impersonate-user'), ['bob@example.com'], 'the JWT subject');
  t.same(got.headers.get('impersonate-group'), ['dev', 'ops'], 'the JWT groups, and not system:masters');
  t.equal(one(got, 'x-custom'), 'kept');
  t.match(one(got, 'via'), /ferry-agent\/a1/);
});

void t.test('kubernetes impersonation maps a certificate user (CN) and its groups (O)', async (t) => {
  // A service-route certificate naming a person, made with openssl from the CA's key.
  await writeFile(join(dir, 'ca.key'), env.ca.keyPem, { mode: 0o600 });
  const uri = identityToUri({ kind: 'service', agent: 'a1', type: 'kubernetes', name: 'incluster' }, env.ca.trustDomain);
  await writeFile(join(dir, 'ext.cnf'), `basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\nsubjectAltName=URI:${uri}\n`);
  await run('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'alice.key'), '-out', join(dir, 'alice.csr'), '-subj', '/O=platform/O=sre/CN=alice']);
  await run('openssl', ['x509', '-req', '-in', join(dir, 'alice.csr'), '-CA', join(dir, 'ca.crt'), '-CAkey', join(dir, 'ca.key'), '-CAcreateserial', '-days', '1', '-extfile', join(dir, 'ext.cnf'), '-out', join(dir, 'alice.crt')]);
  const c = frontDoorClient(env.ca.certPem, { cert: join(dir, 'alice.crt'), key: join(dir, 'alice.key') });
  clients.push(c);
  const res = await request(`${env.frontDoorUrl}/api/v1/namespaces`, { dispatcher: c, headers: { 'impersonate-group': 'system:masters', 'impersonate-user': 'admin' } });
  t.equal(res.statusCode, 200, await res.body.text());
  const got = https.last('/incluster/api/v1/namespaces');
  t.same(got.headers.get('impersonate-user'), ['alice']);
  t.same(got.headers.get('impersonate-group'), ['platform', 'sre']);
});

void t.test('kubernetes kubeconfig token, impersonation off: no Impersonate-* at all', async (t) => {
  const res = await viaCert('kubernetes', 'kctoken', '/version');
  t.equal(res.status, 200, res.body);
  const got = https.last('/kctoken/version');
  t.same(names(got), [...BASE, 'authorization'].sort());
  t.equal(one(got, 'authorization'), `Bearer ${SECRETS.kc}`, "the kubeconfig's token, not the client's");
});

void t.test('kubernetes kubeconfig client certificate: presented in TLS, no Authorization', async (t) => {
  const res = await viaCert('kubernetes', 'kccert', '/api');
  t.equal(res.status, 200, res.body);
  const got = https.last('/kccert/api');
  t.same(names(got), BASE);
  t.equal(got.clientCN, 'kube-sa');
});

void t.test('kubernetes exec plugin: token used, cached until near expiry, then re-run', async (t) => {
  const runs = async () => Number(await readFile(join(dir, 'exec-runs'), 'utf8'));
  const first = await runs();
  t.equal((await viaCert('kubernetes', 'kcexec', '/a')).status, 200);
  t.equal((await viaCert('kubernetes', 'kcexec', '/b')).status, 200);
  t.equal(await runs(), first, 'no new run while the credential is fresh');
  t.equal(one(https.last('/kcexec/b'), 'authorization'), `Bearer exec-token-${first}`);
  await new Promise((r) => setTimeout(r, 4200));
  t.equal((await viaCert('kubernetes', 'kcexec', '/c')).status, 200);
  t.equal(await runs(), first + 1, 'expired: the plugin ran again');
  t.equal(one(https.last('/kcexec/c'), 'authorization'), `Bearer exec-token-${first + 1}`);
});

void t.test('jenkins: Basic user + API token', async (t) => {
  const res = await viaCert('jenkins', 'ci', '/job/x/api/json');
  t.equal(res.status, 200, res.body);
  const got = http.last('/jenkins/job/x/api/json');
  t.same(names(got), [...BASE, 'authorization'].sort());
  t.equal(one(got, 'authorization'), basic('ferry', SECRETS.jenkins1));
});

void t.test('argocd: Bearer from a Secret mount', async (t) => {
  const res = await viaCert('argocd', 'cd', '/api/v1/applications');
  t.equal(res.status, 200, res.body);
  const got = http.last('/argocd/api/v1/applications');
  t.same(names(got), [...BASE, 'authorization'].sort());
  t.equal(one(got, 'authorization'), `Bearer ${SECRETS.argo}`);
});

void t.test('custom: token kind, client certificate kind, none', async (t) => {
  t.equal((await viaCert('x-api', 'tok', '/t')).status, 200);
  const tok = http.last('/xtoken/t');
  t.same(names(tok), [...BASE, 'authorization'].sort());
  t.equal(one(tok, 'authorization'), `Token ${SECRETS.xtoken}`);

  t.equal((await viaCert('x-mtls', 'cert', '/c')).status, 200);
  const cert = https.last('/xcert/c');
  t.same(names(cert), BASE);
  t.equal(cert.clientCN, 'x-cert-client');

  t.equal((await viaCert('x-plain', 'none', '/n')).status, 200);
  t.same(names(http.last('/none/n')), BASE, 'no credential, and none of the client’s');
});

void t.test('clouddriver: X-Spinnaker-User carried for the service credential, pinned for a person', async (t) => {
  // The service's own credential (sub spin.a1) speaks for its users.
  let res = await viaCert('clouddriver', 'spin', '/applications', { 'x-spinnaker-user': 'carol@example.com' });
  t.equal(res.status, 200, res.body);
  t.same(http.last('/spin/applications').headers.get('x-spinnaker-user'), ['carol@example.com']);
  t.same(names(http.last('/spin/applications')), [...BASE, 'x-spinnaker-user'].sort());

  // A person is only ever themselves.
  res = await viaToken('clouddriver', 'spin', '/me', { sub: 'dave@example.com' });
  t.equal(res.status, 200, res.body);
  t.same(http.last('/spin/me').headers.get('x-spinnaker-user'), ['dave@example.com'], 'set from the caller');
  res = await viaToken('clouddriver', 'spin', '/me2', { sub: 'dave@example.com' }, { 'x-spinnaker-user': 'dave@example.com' });
  t.equal(res.status, 200);
  t.same(http.last('/spin/me2').headers.get('x-spinnaker-user'), ['dave@example.com'], 'not doubled');

  const before = http.requests.length;
  res = await viaToken('clouddriver', 'spin', '/impostor', { sub: 'dave@example.com' }, { 'x-spinnaker-user': 'admin' });
  t.equal(res.status, 403);
  t.match(JSON.parse(res.body), { error: { code: 'FERRY_ERR_FORBIDDEN', message: /X-Spinnaker-User "admin" is not the authenticated caller "dave@example.com"/ } });
  t.equal(http.requests.length, before, 'refused before reaching the upstream');
});

void t.test('aws: re-signed with the agent key; verifies against an independent SigV4 verifier', async (t) => {
  let res = await viaCert('aws', 'sts', '/?Action=GetCallerIdentity&Version=2011-06-15', { 'x-amz-date': '20000101T000000Z' });
  t.equal(res.status, 200, res.body);
  let got = http.last('/aws/');
  t.same(names(got), [...BASE, 'authorization', 'x-amz-date'].sort());
  let v = verifySigV4(got, (id) => (id === AWS_KEY_ID ? SECRETS.awsSecret : undefined));
  t.ok(v.ok, v.why);
  t.same([v.region, v.service], ['eu-west-1', 'sts']);

  // A POST body streams through the tunnel; the agent reads it to hash and sign it.
  const c = await certClient('aws', 'sts');
  const post = await request(`${env.frontDoorUrl}/`, {
    dispatcher: c,
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'AWS4-HMAC-SHA256 Credential=CLIENT/20000101/us-east-1/sts/aws4_request' },
    body: 'Action=GetCallerIdentity&Version=2011-06-15',
  });
  t.equal(post.statusCode, 200, await post.body.text());
  got = http.requests[http.requests.length - 1]!;
  t.equal(got.body.toString(), 'Action=GetCallerIdentity&Version=2011-06-15');
  v = verifySigV4(got, (id) => (id === AWS_KEY_ID ? SECRETS.awsSecret : undefined));
  t.ok(v.ok, `POST: ${v.why}`);
  res = await viaCert('aws', 'sts', '/');
  t.equal(res.status, 200);
});

void t.test('rotation without a restart: a rewritten file, a swapped projected token', async (t) => {
  await writeFile(join(dir, 'jenkins-token.new'), SECRETS.jenkins2);
  await rename(join(dir, 'jenkins-token.new'), join(dir, 'jenkins-token'));
  t.ok(
    await eventually(async () => {
      await viaCert('jenkins', 'ci', '/rotated');
      return one(http.last('/jenkins/rotated'), 'authorization') === basic('ferry', SECRETS.jenkins2);
    }),
    'the new Jenkins token is used',
  );

  await mkdir(join(sa, '..v2'));
  await writeFile(join(sa, '..v2', 'token'), SECRETS.sa2);
  await writeFile(join(sa, '..v2', 'ca.crt'), env.ca.certPem);
  await symlink('..v2', join(sa, '..data_tmp'));
  await rename(join(sa, '..data_tmp'), join(sa, '..data'));
  await rm(join(sa, '..v1'), { recursive: true });
  t.ok(
    await eventually(async () => {
      await viaToken('kubernetes', 'incluster', '/rotated', { sub: 'bob' });
      return one(https.last('/incluster/rotated'), 'authorization') === `Bearer ${SECRETS.sa2}`;
    }),
    'the new service-account token is used',
  );
});

void t.test('a credential that goes missing: 503 with the reason, the agent keeps running, then recovers', async (t) => {
  await rm(join(dir, 'argocd-secret', 'token'));
  let last = { status: 0, body: '' };
  t.ok(
    await eventually(async () => {
      last = await viaCert('argocd', 'cd', '/gone');
      return last.status === 503;
    }),
    'refused with 503',
  );
  const err = JSON.parse(last.body) as { error: { code: string; message: string } };
  t.match(err.error.message, /argocd/);
  t.notMatch(last.body, SECRETS.argo);
  const line = await agent.waitFor((l) => l.msg === 'service unhealthy' && String(l['service']) === 'argocd/cd');
  t.match(String(line['reason']), /argocd\/cd token: secret key token in .*argocd-secret: file not found/);
  t.equal((await viaCert('jenkins', 'ci', '/still-up')).status, 200, 'other services still work');

  await writeFile(join(dir, 'argocd-secret', 'token'), SECRETS.argo);
  t.ok(await eventually(async () => (await viaCert('argocd', 'cd', '/back')).status === 200), 'back once the secret is back');
  await agent.waitFor((l) => l.msg === 'service healthy again' && String(l['service']) === 'argocd/cd');
});

void t.test('no secret ever appears in the agent output', (t) => {
  const output = agent.raw.join('\n');
  t.ok(output.length > 0);
  for (const [name, value] of Object.entries(SECRETS)) t.notOk(output.includes(value), `${name} not in the agent's log`);
  t.notOk(output.includes('exec-token-'), 'exec plugin tokens not in the log');
  t.end();
});
