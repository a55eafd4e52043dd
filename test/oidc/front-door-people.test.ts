// People at the front door, end to end with real processes: a controller with `oidc:` and
// `login:`, an agent impersonating on a `kubernetes` route, the kube-apiserver stand-in,
// real kubectl, a real oidc-provider and a real slapd. The API server sees the agent's token
// and Impersonate-User/-Group of the person, never the person's token.
import t from 'tap';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { decodeOsprey } from '../../src/oidc/osprey-proto.js';
import type { RecordedRequest } from '../fixtures/kube-apiserver/index.js';
import { startIdp } from '../../testkit/oidc-idp.js';
import { startSlapd } from '../../testkit/slapd.js';
import { LdapPasswordChecker } from '../../src/passwords/ldap.js';
import { ldapConfigSchema } from '../../src/config/ldap-config.js';
import { AGENT, KUBE_TOKEN, kubectl, startKubectlEnv, type KubectlEnv } from '../kubectl/kubectl-env.js';

const slapd = await startSlapd();
t.teardown(() => slapd.stop());
const ldap = { url: slapd.url, bindDn: slapd.serviceDn, bindPassword: { env: 'FERRY_TEST_LDAP_PW' }, userBase: slapd.peopleBase };
process.env['FERRY_TEST_LDAP_PW'] = slapd.servicePassword;
const idp = await startIdp({ checker: new LdapPasswordChecker(ldapConfigSchema.parse(ldap)) });
t.teardown(() => idp.close());

const env: KubectlEnv = await startKubectlEnv(t, {
  impersonate: true,
  controller: {
    oidc: {
      issuers: [{ issuer: idp.issuer, clientId: idp.clientId, allowPlainHttp: true, usernameClaim: 'email', groupsPrefix: 'oidc:' }],
      access: [
        { groups: ['oidc:devs', 'devs'], agents: [AGENT], routes: ['kubernetes/*'] },
        { users: ['dave@ferry.test'], agents: ['elsewhere'] },
      ],
    },
    login: { clientId: 'ferry-login', tokenTtl: '1h', passwords: [{ ...ldap, timeout: '2s' }], clusters: [{ name: 'k1', agent: AGENT }] },
  },
});
const frontDoor = env.ferry.frontDoorUrl;
const dispatcher = new Agent({ connect: { ca: env.ferry.ca.certPem } });
t.teardown(() => dispatcher.close());

async function kubeconfigWithToken(name: string, token: string): Promise<string> {
  const file = join(env.dir, `kubeconfig-${name}`);
  const ca = Buffer.from(env.ferry.ca.certPem).toString('base64');
  await writeFile(
    file,
    [
      'apiVersion: v1',
      'kind: Config',
      `clusters: [{name: k1, cluster: {server: "${frontDoor}/agents/${AGENT}/kubernetes/default", certificate-authority-data: ${ca}}}]`,
      `users: [{name: ${name}, user: {token: "${token}"}}]`,
      `contexts: [{name: k1, context: {cluster: k1, user: ${name}, namespace: default}}]`,
      'current-context: k1',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  return file;
}

const impersonation = (r: RecordedRequest): Record<string, unknown> => Object.fromEntries(Object.entries(r.headers).filter(([k]) => k.startsWith('impersonate-')));

async function http(method: string, path: string, headers: Record<string, string> = {}) {
  const res = await request(`${frontDoor}${path}`, { method: method as 'GET', headers, dispatcher });
  return { status: res.statusCode, headers: res.headers, body: Buffer.from(await res.body.arrayBuffer()) };
}
const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

void t.test('an ID token: kubectl lists pods as that person; the API server sees impersonation and the agent token', async (t) => {
  const token = await idp.sign({ sub: 'alice', email: 'alice@ferry.test', email_verified: true, groups: ['devs', 'ops'] });
  const n = env.kube.requests.length;
  const r = await kubectl(env, ['get', 'pods'], { kubeconfig: await kubeconfigWithToken('alice', token) });
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout.toString(), /web\s+1\/1\s+Running/);
  // Only kubectl's requests: the agent's own health probes carry no person.
  const seen = env.kube.requests.slice(n).filter((x) => x.path.startsWith('/api'));
  t.ok(seen.some((x) => x.path.startsWith('/api/v1/namespaces/default/pods')));
  for (const x of seen) {
    t.equal(x.headers.authorization, `Bearer ${KUBE_TOKEN}`, 'the agent token');
    t.same(impersonation(x), { 'impersonate-user': 'alice@ferry.test', 'impersonate-group': 'oidc:devs, oidc:ops' });
    t.notOk(JSON.stringify(x.headers).includes(token), "never the person's token");
  }
});

void t.test('refused ID tokens: no allowing rule 403; unknown issuer, expired, wrong audience 401', async (t) => {
  const carol = await idp.sign({ sub: 'carol', email: 'carol@ferry.test', groups: [] });
  let r = await kubectl(env, ['get', 'pods'], { kubeconfig: await kubeconfigWithToken('carol', carol) });
  t.not(r.code, 0);
  t.match(r.stderr, /Forbidden|forbidden/);
  const dave = await idp.sign({ sub: 'dave', email: 'dave@ferry.test', groups: ['devs-not'] });
  r = await kubectl(env, ['get', 'pods'], { kubeconfig: await kubeconfigWithToken('dave', dave) });
  t.match(r.stderr, /Forbidden|forbidden/, 'a rule for another agent does not apply');
  const now = Math.floor(Date.now() / 1000);
  const bad = {
    'unknown issuer': await idp.sign({ iss: 'https://idp.elsewhere.example', sub: 'alice', email: 'alice@ferry.test', groups: ['devs'] }),
    expired: await idp.sign({ sub: 'alice', email: 'alice@ferry.test', groups: ['devs'], iat: now - 7200, exp: now - 3600 }),
    'wrong audience': await idp.sign({ sub: 'alice', email: 'alice@ferry.test', groups: ['devs'], aud: 'another-client' }),
  };
  for (const [what, token] of Object.entries(bad)) {
    const res = await http('GET', `/agents/${AGENT}/kubernetes/default/api/v1/namespaces/default/pods`, { authorization: `Bearer ${token}` });
    t.equal(res.status, 401, what);
    t.notOk(res.body.toString().includes(token), `${what}: the token is not echoed`);
  }
});

void t.test('osprey login: /access-token (JSON and protobuf), then kubectl with the login token', async (t) => {
  const json = await http('POST', '/login/k1/access-token', { authorization: basic('alice', 'alice-pw-1'), accept: 'application/json' });
  t.equal(json.status, 200, json.body.toString());
  const answer = JSON.parse(json.body.toString()) as { cluster: { name: string; apiServerURL: string; apiServerCA: string }; provider: Record<string, string>; user: { username: string; token: string } };
  t.equal(answer.cluster.name, 'k1');
  t.equal(answer.cluster.apiServerURL, `${frontDoor}/agents/${AGENT}/kubernetes/default`);
  t.equal(Buffer.from(answer.cluster.apiServerCA, 'base64').toString(), env.ferry.ca.certPem);
  t.equal(answer.provider['clientSecret'], '', 'no client secret is ever sent');
  t.equal(answer.provider['clientID'], 'ferry-login');
  t.equal(answer.user.username, 'alice');

  const proto = await http('POST', '/login/access-token', { authorization: basic('bob', 'bob-pw-2'), accept: 'application/octet-stream' });
  t.equal(proto.status, 200);
  t.equal(proto.headers['content-type'], 'application/octet-stream');
  const decoded = decodeOsprey('login', proto.body);
  t.equal(decoded.user.username, 'bob', 'one cluster: the name may be left out');
  t.equal(decoded.cluster.apiServerURL, answer.cluster.apiServerURL);

  const n = env.kube.requests.length;
  const r = await kubectl(env, ['get', 'pods'], { kubeconfig: await kubeconfigWithToken('alice-login', answer.user.token) });
  t.equal(r.code, 0, r.stderr);
  const seen = env.kube.requests.slice(n).filter((x) => x.path.startsWith('/api'));
  t.ok(seen.length > 0);
  for (const x of seen) {
    t.same(impersonation(x), { 'impersonate-user': 'alice', 'impersonate-group': 'devs, ops' }, 'LDAP groups');
    t.equal(x.headers.authorization, `Bearer ${KUBE_TOKEN}`);
    t.notOk(JSON.stringify(x.headers).includes(answer.user.token));
  }
});

void t.test('osprey login refusals: 401 on a bad password (never 500), 403, 404, 405; cluster-info and healthz need no login', async (t) => {
  for (const [what, headers] of [
    ['wrong password', { authorization: basic('alice', 'nope-nope') }],
    ['unknown user', { authorization: basic('zed', 'alice-pw-1') }],
    ['no credentials', {}],
    ['empty password', { authorization: basic('alice', '') }],
  ] as const) {
    const res = await http('POST', '/login/k1/access-token', { ...headers, accept: 'application/json' });
    t.equal(res.status, 401, what);
    t.match(res.body.toString(), /FERRY_ERR_UNAUTHENTICATED/);
    const p = await http('POST', '/login/k1/access-token', { ...headers });
    t.equal(p.status, 401, `${what} (protobuf)`);
    t.equal(decodeOsprey('status', p.body).code, 16, 'google.rpc UNAUTHENTICATED');
  }
  const carol = await http('POST', '/login/k1/access-token', { authorization: basic('carol', 'carol (pw*3)'), accept: 'application/json' });
  t.equal(carol.status, 403, 'no access rule: no token');
  t.equal((await http('POST', '/login/nope/access-token', { authorization: basic('alice', 'alice-pw-1') })).status, 404);
  t.equal((await http('GET', '/login/k1/access-token', { authorization: basic('alice', 'alice-pw-1') })).status, 405);
  const info = await http('GET', '/login/k1/cluster-info');
  t.equal(info.status, 200);
  t.equal(decodeOsprey('clusterInfo', info.body).cluster.apiServerURL, `${frontDoor}/agents/${AGENT}/kubernetes/default`);
  const health = await http('GET', '/login/healthz');
  t.equal(health.status, 200);
});

void t.test('LDAP down: /access-token answers 503 with a clear reason, not 401', async (t) => {
  await slapd.pause();
  try {
    const res = await http('POST', '/login/k1/access-token', { authorization: basic('alice', 'alice-pw-1'), accept: 'application/json' });
    t.equal(res.status, 503);
    t.match(res.body.toString(), /password check unavailable \(LDAP ldap:\/\/127\.0\.0\.1:\d+: cannot connect/);
    t.notOk(res.body.toString().includes('alice-pw-1'));
  } finally {
    await slapd.resume();
  }
  const again = await http('POST', '/login/k1/access-token', { authorization: basic('alice', 'alice-pw-1'), accept: 'application/json' });
  t.equal(again.status, 200, 'back when LDAP is');
});

void t.test('password guessing: after 5 failures one name from one address waits (429), others do not', async (t) => {
  const statuses: number[] = [];
  for (let i = 0; i < 6; i++) statuses.push((await http('POST', '/login/k1/access-token', { authorization: basic('dave', `guess-${i}`), accept: 'application/json' })).status);
  t.same(statuses, [401, 401, 401, 401, 401, 429]);
  const blocked = await http('POST', '/login/k1/access-token', { authorization: basic('dave', 'anything'), accept: 'application/json' });
  t.equal(blocked.status, 429);
  t.equal(blocked.headers['retry-after'], '60');
  t.match(blocked.body.toString(), /FERRY_ERR_RATE_LIMITED/);
  const other = await http('POST', '/login/k1/access-token', { authorization: basic('alice', 'alice-pw-1'), accept: 'application/json' });
  t.equal(other.status, 200, 'another user is not affected');
});

void t.test('no password or token in the controller log', async (t) => {
  const log = env.ferry.controller.raw.join('\n');
  t.match(log, /login: token issued/);
  t.match(log, /login: bad username or password/);
  for (const secret of ['alice-pw-1', 'bob-pw-2', 'nope-nope', slapd.servicePassword]) t.notOk(log.includes(secret), `${secret.slice(0, 3)}… not logged`);
  t.notOk(/eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/.test(log), 'no JWT logged');
  t.ok((await readFile(env.kubeconfig, 'utf8')).length > 0);
});
