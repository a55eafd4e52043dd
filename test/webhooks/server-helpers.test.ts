// The webhook server helpers: schema-checked input (400), a size limit (413 for 10 MB),
// 404 on an unknown path, 405 on another method, 500 when a callback throws; the config
// handler answers {config}. No password reaches the helpers' log lines.
import t from 'tap';
import { request } from 'undici';
import { createAuthWebhookHandler, createConfigWebhookHandler, createWebhookServer, type ConfigRequest } from '../../src/webhooks/index.js';
import { capturedLog } from './webhook-kit.js';

const { log, lines } = capturedLog();
const valid = { username: 'alice', remoteAddress: '127.0.0.1:1234', connectionId: 'c1', clientVersion: 'curl/8', passwordBase64: Buffer.from('hunter2').toString('base64') };

const auth = createWebhookServer({
  handler: createAuthWebhookHandler(
    {
      onPassword: (req) => (req.username === 'crash' ? Promise.reject(new Error('database down')) : req.password === 'hunter2'),
      onAuthz: (req) => ({ success: true, authenticatedUsername: req.authenticatedUsername, metadata: { groups: { value: 'ops', sensitive: false } } }),
    },
    { basePath: '/auth', log },
  ),
});
const authUrl = `${await auth.listen()}/auth`;
const configRequests: ConfigRequest[] = [];
const config = createWebhookServer({
  handler: createConfigWebhookHandler(
    (req) => {
      configRequests.push(req);
      return { routes: [`a1/kubernetes/${req.authenticatedUsername}`] };
    },
    { path: '/config', log },
  ),
});
const configUrl = await config.listen();
t.teardown(async () => {
  await auth.close();
  await config.close();
});

async function post(url: string, body: string | Buffer, method = 'POST') {
  const res = await request(url, { method, body: method === 'GET' ? undefined : body, headers: { 'content-type': 'application/json' } });
  return { status: res.statusCode, json: (await res.body.json()) as Record<string, unknown> };
}

void t.test('a valid request reaches the callback; a boolean verdict becomes {success}', async (t) => {
  t.same(await post(`${authUrl}/password`, JSON.stringify(valid)), { status: 200, json: { success: true } });
  t.same(await post(`${authUrl}/password`, JSON.stringify({ ...valid, passwordBase64: 'd3Jvbmc=' })), { status: 200, json: { success: false } });
  const authz = await post(`${authUrl}/authz`, JSON.stringify({ ...valid, passwordBase64: undefined, authenticatedUsername: 'alice' }));
  t.equal(authz.status, 200);
  t.same(authz.json['metadata'], { groups: { value: 'ops', sensitive: false } });
});

void t.test('a passwordBase64 that is not base64 is a 400', async (t) => {
  const res = await post(`${authUrl}/password`, JSON.stringify({ ...valid, passwordBase64: 'hunter2 in clear!' }));
  t.equal(res.status, 400);
  t.match(res.json['error'], /passwordBase64: not base64/);
});

void t.test('malformed bodies are a 400 naming the field, never its value', async (t) => {
  t.equal((await post(`${authUrl}/password`, '{"username": ')).status, 400, 'not JSON');
  const res = await post(`${authUrl}/password`, JSON.stringify({ ...valid, remoteAddress: 'localhost' }));
  t.equal(res.status, 400);
  t.match(res.json['error'], /remoteAddress: remoteAddress must be "ip:port"/);
  t.equal((await post(`${authUrl}/password`, JSON.stringify({ ...valid, extra: 1 }))).status, 400, 'an unknown request field');
});

void t.test('a 10 MB body is a 413', async (t) => {
  const res = await post(`${authUrl}/password`, Buffer.alloc(10 * 1024 * 1024, 0x20));
  t.equal(res.status, 413);
  t.match(res.json['error'], /over the 65536-byte limit/);
});

void t.test('404 on an unknown path or an endpoint with no callback; 405 on GET; 500 when a callback throws', async (t) => {
  t.equal((await post(`${authUrl}/pubkey`, JSON.stringify(valid))).status, 404, 'no onPublicKey');
  t.equal((await post(`${authUrl}/nope`, '{}')).status, 404);
  t.equal((await post(`${authUrl.replace('/auth', '')}/password`, JSON.stringify(valid))).status, 404, 'outside the base path');
  t.equal((await post(`${authUrl}/password`, '', 'GET')).status, 405);
  const crash = await post(`${authUrl}/password`, JSON.stringify({ ...valid, username: 'crash' }));
  t.same(crash, { status: 500, json: { error: 'webhook callback failed' } });
});

void t.test('the config handler answers {config} at its path only', async (t) => {
  const body = { username: 'alice', authenticatedUsername: 'alice', remoteAddress: '[::1]:5000', connectionId: 'c2', metadata: {} };
  t.same(await post(`${configUrl}/config`, JSON.stringify(body)), { status: 200, json: { config: { routes: ['a1/kubernetes/alice'] } } });
  t.equal(configRequests.at(-1)?.clientVersion, '', 'defaults filled in');
  t.equal((await post(`${configUrl}/other`, JSON.stringify(body))).status, 404);
  t.equal((await post(`${configUrl}/config`, JSON.stringify({ username: 'alice' }))).status, 400);
});

void t.test('no password in the helpers log lines', (t) => {
  t.ok(lines.some((l) => l.includes('webhook request refused')), 'refusals were logged');
  t.ok(lines.some((l) => l.includes('database down')), 'the failed callback was logged');
  for (const line of lines) t.notOk(line.includes('hunter2') || line.includes(valid.passwordBase64), 'no password');
  t.end();
});
