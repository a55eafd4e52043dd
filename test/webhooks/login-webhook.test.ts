// The login endpoint delegates passwords to the auth webhook too (issue 14: the front door,
// the login endpoint and the registry token endpoint all can): `login: { webhook: true }`
// with no LDAP, the webhook built with ferry's helpers and spoken to over mutual TLS. The
// login token a person gets there is also their registry password (`kind: ferry-token`).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { Agent, request } from 'undici';
import { createCA } from '../../src/pki/index.js';
import { createAuthWebhookHandler, createWebhookServer } from '../../src/webhooks/index.js';
import { startTunnelEnv } from '../../testkit/tunnel-env.js';

const PASSWORD = 'webhook-login-pw-7';
const ca = await createCA();
const serverCert = await ca.issueServer({ dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
const clientCert = await ca.issueClient({ kind: 'controller' });
const asked: string[] = [];
const webhook = createWebhookServer({
  tls: { cert: serverCert.certPem, key: serverCert.keyPem, ca: ca.certPem, requireClientCert: true },
  handler: createAuthWebhookHandler({
    onPassword: (req) => {
      asked.push(req.username);
      return req.username === 'alice' && req.password === PASSWORD
        ? { success: true, authenticatedUsername: 'alice@corp', metadata: { groups: { value: 'devs', sensitive: false } } }
        : false;
    },
    onAuthz: () => true,
  }),
});
const webhookUrl = await webhook.listen();
t.teardown(() => webhook.close());
const files = await mkdtemp(join(tmpdir(), 'ferry-login-webhook-'));
t.teardown(() => rm(files, { recursive: true, force: true }));
await writeFile(join(files, 'client.crt'), clientCert.certPem);
await writeFile(join(files, 'client.key'), clientCert.keyPem, { mode: 0o600 });

const env = await startTunnelEnv(
  {
    webhooks: { auth: { url: webhookUrl, cert: join(files, 'client.crt'), key: join(files, 'client.key'), retryInterval: '200ms', deadline: '1s' } },
    oidc: { access: [{ groups: ['devs'], agents: ['k1'] }] },
    login: { webhook: true, clusters: [{ name: 'k1', agent: 'k1' }] },
    registry: {
      services: ['reg'],
      authenticators: [{ kind: 'ferry-token' }],
      acl: [{ match: { account: '/.+/', name: '${labels:group}/*' }, actions: ['pull'] }],
    },
  },
  { ca },
);
t.teardown(() => env.close());
const dispatcher = new Agent({ connect: { ca: ca.certPem } });
t.teardown(() => dispatcher.close());
const login = async (user: string, password: string) => {
  const res = await request(`${env.frontDoorUrl}/login/k1/access-token`, {
    method: 'POST',
    dispatcher,
    headers: { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`, accept: 'application/json' },
  });
  return { status: res.statusCode, body: await res.body.text() };
};

void t.test('a password the webhook accepts gets a login token; a wrong one 401', async (t) => {
  const ok = await login('alice', PASSWORD);
  t.equal(ok.status, 200, 'accepted');
  const answer = JSON.parse(ok.body) as { user: { username: string; token: string } };
  t.equal(answer.user.username, 'alice@corp', "the webhook's authenticatedUsername");
  t.match(answer.user.token, /^ey/);
  const bad = await login('alice', 'wrong');
  t.equal(bad.status, 401);
  t.match(bad.body, /FERRY_ERR_UNAUTHENTICATED/);
  t.same(asked, ['alice', 'alice'], 'both asked the webhook');
  t.notOk(env.controller.raw.join('\n').includes(PASSWORD), 'the password is in no log line');

  // docker login with the login token: its groups (from the webhook) drive the ACL.
  const basic = `Basic ${Buffer.from(`alice@corp:${answer.user.token}`).toString('base64')}`;
  const reg = await request(`${env.frontDoorUrl}/registry/auth?service=reg&scope=repository:devs/app:pull,push&scope=repository:ops/app:pull`, { dispatcher, headers: { authorization: basic } });
  t.equal(reg.statusCode, 200, 'the registry takes the login token as a password');
  const { token: registryToken } = (await reg.body.json()) as { token: string };
  const claims = JSON.parse(Buffer.from(registryToken.split('.')[1]!, 'base64url').toString()) as { sub: string; access: { name: string; actions: string[] }[] };
  t.equal(claims.sub, 'alice@corp');
  t.same(
    claims.access.map((a) => [a.name, a.actions]),
    [
      ['devs/app', ['pull']],
      ['ops/app', []],
    ],
    'pull in her group only',
  );
  const wrong = await request(`${env.frontDoorUrl}/registry/auth?service=reg&scope=repository:devs/app:pull`, {
    dispatcher,
    headers: { authorization: `Basic ${Buffer.from('alice@corp:not-a-token').toString('base64')}` },
  });
  t.equal(wrong.statusCode, 401);
  await wrong.body.dump();
});

void t.test('the webhook down: 503, not 401', async (t) => {
  await webhook.close();
  // bob: a password not asked before (a recent success may be answered from the cache).
  const res = await login('bob', 'never-asked');
  t.equal(res.status, 503, res.body);
  t.match(res.body, /FERRY_ERR_UNAVAILABLE/);
});
