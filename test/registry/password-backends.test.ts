// The password backends against real servers where there is one: htpasswd (bcrypt $2y$
// lines as Go's htpasswd writes them), the auth webhook's /password (a scripted
// ContainerSSH-style server), a stand-in for Vault's KV API, ferry's own tokens through a
// front-door authenticator; and the chain's rule that a backend that is down is a 503.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import t from 'tap';
import { TokenAuthenticator } from '../../src/controller/front-door/authenticators/token.js';
import { FerryError } from '../../src/errors.js';
import { CachedPasswords } from '../../src/passwords/cached-passwords.js';
import { FrontDoorTokenPasswords } from '../../src/passwords/front-door-token.js';
import { HtpasswdPasswords, parseHtpasswd } from '../../src/passwords/htpasswd.js';
import { PasswordChain } from '../../src/passwords/password-chain.js';
import { StaticPasswords } from '../../src/passwords/static-users.js';
import { VaultKvPasswords } from '../../src/passwords/vault-kv.js';
import { WebhookPasswords } from '../../src/passwords/webhook-passwords.js';
import type { PasswordChecker } from '../../src/passwords/types.js';
import { serviceAudience, TokenIssuer, TokenKeyStore, TokenVerifier } from '../../src/tokens/index.js';
import { AuthWebhookClient } from '../../src/webhooks/index.js';
import { json, scriptedServer } from '../webhooks/webhook-kit.js';

const dir = await mkdtemp(join(tmpdir(), 'ferry-passwords-'));
t.teardown(() => rm(dir, { recursive: true, force: true }));

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (err) {
    return err instanceof FerryError ? err.code : 'other';
  }
}

void t.test('static users and htpasswd: bcrypt, $2y$, passwords with ":" and non-ASCII', async (t) => {
  const y = bcrypt.hashSync('p:ä ss', 4).replace(/^\$2b\$/, '$2y$');
  const file = join(dir, 'users.htpasswd');
  await writeFile(file, `# users\nzoë:${y}\n\nbob:${bcrypt.hashSync('bob-pw', 4)}\n`);
  const h = await new HtpasswdPasswords(file).load();
  t.same(await h.check('zoë', 'p:ä ss'), { subject: 'zoë', groups: [], labels: { group: [] } });
  t.equal(await h.check('zoë', 'p:ä s'), null);
  t.equal(await h.check('nobody', 'x'), null);
  t.ok(await h.check('bob', 'bob-pw'));
  // A changed file is read again.
  await writeFile(file, `bob:${bcrypt.hashSync('new-pw', 4)}\n`);
  const later = new Date(Date.now() + 5000);
  await import('node:fs/promises').then((fs) => fs.utimes(file, later, later));
  t.ok(await h.check('bob', 'new-pw'), 're-read after a change');
  t.throws(() => parseHtpasswd('ok:$2b$04$aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\nmd5:$apr1$x$y\n', 'f.htpasswd'), /f\.htpasswd:2: not a "user:bcrypt-hash" entry/);
  const s = new StaticPasswords({ carol: { hash: bcrypt.hashSync('c', 4), groups: ['admins'] } });
  t.same(await s.check('carol', 'c'), { subject: 'carol', groups: ['admins'], labels: { group: ['admins'] } });
});

void t.test('the auth webhook /password: success with groups, refusal, and down is 503 (not 401)', async (t) => {
  const server = await scriptedServer((r, res) => {
    const pw = Buffer.from(String(r.body.passwordBase64), 'base64').toString('utf8');
    json(res, 200, pw === 'right' ? { success: true, authenticatedUsername: 'dora', metadata: { groups: { value: 'ops,devs', sensitive: false } } } : { success: false });
  });
  t.teardown(() => server.close());
  const client = new AuthWebhookClient({ url: server.url, allowPlainHttp: true, timeoutMs: 1000, retryIntervalMs: 100, deadlineMs: 300, cacheTtlMs: 0 });
  const w = new WebhookPasswords(client);
  const who = await w.check('dora', 'right');
  t.equal(who?.subject, 'dora');
  t.same(who?.groups, ['ops', 'devs'], 'groups from the webhook metadata');
  t.equal(await w.check('dora', 'wrong'), null);
  t.equal(server.received[0]?.path, '/password');
  await w.close();
  const down = new WebhookPasswords(new AuthWebhookClient({ url: 'http://127.0.0.1:1', allowPlainHttp: true, timeoutMs: 200, retryIntervalMs: 50, deadlineMs: 200, cacheTtlMs: 0 }));
  t.equal(await codeOf(down.check('dora', 'right')), 'FERRY_ERR_UNAVAILABLE');
  // In a chain, a later backend that knows the user still lets them in; else 503.
  const other: PasswordChecker = { name: 'other', check: (u) => Promise.resolve(u === 'eve' ? { subject: 'eve', groups: [] } : null) };
  const chain = new PasswordChain([down, other]);
  t.equal((await chain.check('eve', 'x'))?.subject, 'eve');
  t.equal(await codeOf(chain.check('dora', 'right')), 'FERRY_ERR_UNAVAILABLE');
  await down.close();
});

void t.test("Vault KV in godoauth's layout (a stand-in server for the KV read)", async (t) => {
  const { createServer } = await import('node:http');
  const seen: string[] = [];
  const vault = createServer((req, res) => {
    seen.push(`${req.url} ${String(req.headers['x-vault-token'])}`);
    if (req.url === '/v1/registry/foo') json(res, 200, { data: { password: 'bar', access: 'repository:linux/app:*;repository:linux/db:pull' } });
    else json(res, 404, { errors: [] });
  });
  await new Promise<void>((r) => vault.listen(0, '127.0.0.1', r));
  t.teardown(() => vault.close());
  const port = (vault.address() as { port: number }).port;
  const v = new VaultKvPasswords({ url: `http://127.0.0.1:${port}`, mount: 'registry', token: 'vault-token' });
  t.same(await v.check('foo', 'bar'), { subject: 'foo', groups: [], labels: { 'vault-access': ['repository:linux/app:*', 'repository:linux/db:pull'] } });
  t.equal(await v.check('foo', 'baz'), null);
  t.equal(await v.check('nobody', 'bar'), null);
  t.equal(seen[0], '/v1/registry/foo vault-token');
  t.equal(await codeOf(new VaultKvPasswords({ url: 'http://127.0.0.1:1', mount: 'registry', timeoutMs: 300 }).check('foo', 'bar')), 'FERRY_ERR_UNAVAILABLE');
});

void t.test('a ferry token as the password, checked by the front door authenticators', async (t) => {
  const keys = await TokenKeyStore.open(join(dir, 'keys'), { issuer: 'ferry:test' });
  t.teardown(() => keys.close());
  const token = (await new TokenIssuer(keys).issue({ purpose: 'service', sub: 'ann', aud: serviceAudience('a1', 'x-app', 'web'), agent: 'a1', type: 'x-app', name: 'web', groups: ['devs'], ttlSeconds: 60 })).token;
  const p = new FrontDoorTokenPasswords(() => [new TokenAuthenticator(new TokenVerifier(keys))]);
  t.same(await p.check('ann', token), { subject: 'ann', groups: ['devs'], labels: { group: ['devs'], method: ['token'] } });
  t.ok(await p.check('token', token), 'docker login -u token');
  t.equal(await p.check('someone-else', token), null, "another person's name with the token");
  t.equal(await p.check('ann', `${token.slice(0, -4)}AAAA`), null, 'a forged signature');
  t.equal(await p.check('ann', 'not-a-jwt'), null);
});

void t.test('a successful check is remembered for a while; failures are not', async (t) => {
  let calls = 0;
  let now = 1_000;
  const inner: PasswordChecker = { name: 'inner', check: (u, p) => (calls++, Promise.resolve(p === 'right' ? { subject: u, groups: [] } : null)) };
  const c = new CachedPasswords(inner, 60_000, () => now);
  t.ok(await c.check('ann', 'right'));
  t.ok(await c.check('ann', 'right'));
  t.equal(calls, 1, 'the second check is remembered');
  t.equal(await c.check('ann', 'wrong'), null);
  t.equal(await c.check('ann', 'wrong'), null);
  t.equal(calls, 3, 'failures are asked each time');
  t.equal(await c.check('bob', 'right').then((w) => w?.subject), 'bob', 'another user is another entry');
  now += 61_000;
  await c.check('ann', 'right');
  t.equal(calls, 5, 'asked again after the ttl');
  await c.close();
});
