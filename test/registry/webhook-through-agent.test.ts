// The password check travels the tunnel: the registry's `webhook` backend calls the auth
// webhook at an agent route (the controller holds only a service certificate for that
// route; the webhook lives in the private network, reached by the agent). With the agent
// gone, the token endpoint says 503, not 401.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { decodeJwt } from 'jose';
import t from 'tap';
import { request } from 'undici';
import { frontDoorClient } from '../../testkit/client.js';
import { freePort } from '../../testkit/net.js';
import { createCA } from '../../src/pki/index.js';
import { startTunnelEnv } from '../../testkit/tunnel-env.js';
import { json, scriptedServer } from '../webhooks/webhook-kit.js';

const hook = await scriptedServer((r, res) => {
  const pw = Buffer.from(String(r.body.passwordBase64), 'base64').toString('utf8');
  json(res, 200, r.body.username === 'dora' && pw === 'inside-pw' ? { success: true, authenticatedUsername: 'dora', metadata: { groups: { value: 'admins', sensitive: false } } } : { success: false });
});
t.teardown(() => hook.close());

// The front door's port is needed in the controller's own config (the webhook URL), so it is chosen first.
const port = await freePort();
const ca = await createCA();
const svc = await ca.issueClient({ kind: 'service', agent: 'site', type: 'x-auth', name: 'hook' });
const certDir = await mkdtemp(join(tmpdir(), 'ferry-hook-cert-'));
t.teardown(() => rm(certDir, { recursive: true, force: true }));
await writeFile(join(certDir, 'svc.crt'), svc.certPem);
await writeFile(join(certDir, 'svc.key'), svc.keyPem);

const env = await startTunnelEnv(
  {
    frontDoor: { listen: `127.0.0.1:${port}` },
    webhooks: {
      auth: {
        url: `https://localhost:${port}`,
        cert: join(certDir, 'svc.crt'),
        key: join(certDir, 'svc.key'),
        methods: { password: true, token: false, authz: false },
        retryInterval: '200ms',
        deadline: '1s',
        cacheTtl: 0,
      },
    },
    registry: {
      services: ['reg'],
      // Nothing remembered: each check goes through the tunnel (a remembered login would outlive the agent).
      passwordCacheTtl: 0,
      authenticators: [{ kind: 'static', users: { bob: { password: bcrypt.hashSync('bob-pw', 4) } } }, { kind: 'webhook' }],
      acl: [{ match: { labels: { group: 'admins' } }, actions: ['*'] }, { match: { account: '/.+/' }, actions: ['pull'] }],
    },
  },
  { ca },
);
t.teardown(() => env.close());
const agent = await env.startAgent('site', [{ type: 'x-auth', name: 'hook', url: hook.url }]);
const dispatcher = frontDoorClient(ca.certPem);
const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;
const ask = async (auth: string) => {
  const res = await request(`https://127.0.0.1:${port}/registry/auth?service=reg&scope=repository:prod/app:push`, { dispatcher, headers: { authorization: auth } });
  return { status: res.statusCode, body: (await res.body.json()) as { token?: string } };
};

void t.test('a password checked by a webhook behind the agent; its groups drive the ACL', async (t) => {
  const ok = await ask(basic('dora', 'inside-pw'));
  t.equal(ok.status, 200);
  t.same(decodeJwt(ok.body.token!).access, [{ type: 'repository', name: 'prod/app', actions: ['push'] }]);
  t.equal(hook.received.at(-1)?.path, '/password', 'the webhook was reached through the tunnel');
  t.equal((await ask(basic('dora', 'wrong'))).status, 401);
  t.equal((await ask(basic('bob', 'bob-pw'))).status, 200, 'the static backend first');
});

void t.test('the agent gone: the webhook cannot answer, 503 (not 401)', async (t) => {
  await agent.stop('SIGKILL');
  const t0 = Date.now();
  const down = await ask(basic('dora', 'inside-pw'));
  t.comment(`503 after ${Date.now() - t0} ms`);
  t.equal(down.status, 503);
  t.equal((await ask(basic('bob', 'bob-pw'))).status, 200, 'a user of an earlier backend still gets in');
  const logs = env.controller.raw.join('\n');
  t.notOk(logs.includes('inside-pw') || logs.includes('bob-pw'), 'no password in the logs');
});
