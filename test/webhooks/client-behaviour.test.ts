// The webhook client's behaviour with misbehaving webhooks: retried at an interval until
// the deadline (measured), redirects refused at once, a switched-off method never calls,
// unknown answer fields warned about once, answers cached per credential, and no password
// in any log line.
import t, { type Test } from 'tap';
import { FerryError } from '../../src/errors.js';
import { AnswerCache } from '../../src/webhooks/answer-cache.js';
import { AuthWebhookClient, type AuthWebhookClientOptions } from '../../src/webhooks/index.js';
import { capturedLog, json, scriptedServer, type Script } from './webhook-kit.js';

const PASSWORD = 'correct horse battery staple';
const PASSWORD_B64 = Buffer.from(PASSWORD).toString('base64');
const conn = { remoteAddress: '127.0.0.1:40000' };
const timing = { retryIntervalMs: 200, timeoutMs: 300, deadlineMs: 1500 };
const { log, lines } = capturedLog();

async function setup(t: Test, script: Script, options: Partial<AuthWebhookClientOptions> = {}) {
  const server = await scriptedServer(script);
  const client = new AuthWebhookClient({ url: server.url, allowPlainHttp: true, log, cacheTtlMs: 0, ...timing, ...options });
  t.teardown(async () => {
    await client.close();
    await server.close();
  });
  return { server, client };
}

async function refusal(promise: Promise<unknown>): Promise<FerryError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof FerryError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

void t.test('a webhook that fails twice then succeeds: asked again at the interval, then accepted', async (t) => {
  let calls = 0;
  const { server, client } = await setup(t, (_r, res) => (++calls <= 2 ? json(res, 503, { error: 'warming up' }) : json(res, 200, { success: true })));
  const started = Date.now();
  const outcome = await client.password('alice', PASSWORD, conn);
  const elapsed = Date.now() - started;
  t.equal(outcome.success, true);
  t.equal(server.received.length, 3, 'three attempts');
  const gaps = server.received.slice(1).map((r, i) => r.at - server.received[i]!.at);
  for (const gap of gaps) t.ok(gap >= 190 && gap < 600, `attempts ${gap} ms apart (interval 200 ms)`);
  t.ok(elapsed >= 390 && elapsed < 1500, `succeeded after ${elapsed} ms, before the deadline`);
});

void t.test('a webhook that never answers: refused at the deadline', async (t) => {
  const { server, client } = await setup(t, () => undefined);
  const started = Date.now();
  const err = await refusal(client.password('alice', PASSWORD, conn));
  const elapsed = Date.now() - started;
  t.equal(err.code, 'FERRY_ERR_UNAVAILABLE');
  t.match(err.message, /auth webhook \/password unavailable: gave up after \d+ attempts in [\d.]+ s \(last: no answer within \d+ ms\)/);
  t.ok(elapsed >= 1300 && elapsed < 2500, `gave up after ${elapsed} ms (deadline 1500 ms)`);
  t.ok(server.received.length >= 2 && server.received.length <= 4, `${server.received.length} attempts of 300 ms each`);
});

void t.test('a webhook answering 500: retried, then refused with the status as reason', async (t) => {
  const { server, client } = await setup(t, (_r, res) => json(res, 500, { error: 'boom' }));
  const err = await refusal(client.password('alice', PASSWORD, conn));
  t.equal(err.code, 'FERRY_ERR_UNAVAILABLE');
  t.match(err.message, /last: HTTP 500/);
  t.ok(server.received.length > 1, 'asked more than once');
});

void t.test('a webhook answering HTML, or JSON of the wrong shape: temporary, then refused', async (t) => {
  const { client } = await setup(t, (_r, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<html><body>Login</body></html>');
  });
  const err = await refusal(client.password('alice', PASSWORD, conn));
  t.match(err.message, /answer is not JSON \(content-type text\/html\)/);
  const { client: other } = await setup(t, (_r, res) => json(res, 200, { success: 'yes' }));
  t.match((await refusal(other.password('alice', PASSWORD, conn))).message, /answer is not an auth answer \(success: /);
});

void t.test('a redirect is refused at once, not followed', async (t) => {
  const { server, client } = await setup(t, (_r, res) => {
    res.writeHead(302, { location: 'https://elsewhere.example/password' });
    res.end();
  });
  const started = Date.now();
  const err = await refusal(client.password('alice', PASSWORD, conn));
  t.equal(err.code, 'FERRY_ERR_UNAVAILABLE');
  t.match(err.message, /redirect \(HTTP 302 to https:\/\/elsewhere\.example\/password\); redirects are refused/);
  t.equal(server.received.length, 1, 'one attempt');
  t.ok(Date.now() - started < 200, 'without waiting for the deadline');
});

void t.test('success:false is a refusal, not a failure: asked once', async (t) => {
  const { server, client } = await setup(t, (_r, res) => json(res, 200, { success: false }));
  t.equal((await client.password('alice', 'wrong', conn)).success, false);
  t.equal(server.received.length, 1);
});

void t.test('a method switched off never calls the webhook', async (t) => {
  const { server, client } = await setup(t, (_r, res) => json(res, 200, { success: true }), { methods: { password: false, token: false } });
  t.equal(client.enabled('password'), false);
  t.equal(client.enabled('authz'), true);
  await t.rejects(client.password('alice', PASSWORD, conn), { code: 'FERRY_ERR_UNAUTHENTICATED', message: /switched off/ });
  await t.rejects(client.token('opaque', conn), { code: 'FERRY_ERR_UNAUTHENTICATED' });
  t.equal(server.received.length, 0);
});

void t.test('unknown answer fields are ignored with one warning per field name', async (t) => {
  const before = lines.length;
  const { client } = await setup(t, (_r, res) => json(res, 200, { success: true, expiresAt: 123, reason: 'ok' }));
  for (let i = 0; i < 3; i++) t.equal((await client.password('alice', PASSWORD, conn)).success, true);
  const warnings = lines.slice(before).filter((l) => l.includes('unknown field')).map((l) => (JSON.parse(l) as { field: string }).field);
  t.same(warnings.sort(), ['expiresAt', 'reason']);
});

void t.test('answers are cached per credential for the configured time', async (t) => {
  const { server, client } = await setup(t, (_r, res) => json(res, 200, { success: true }), { cacheTtlMs: 300 });
  await client.password('alice', PASSWORD, conn);
  await client.password('alice', PASSWORD, conn);
  t.equal(server.received.length, 1, 'the second ask is answered from the cache');
  await client.password('alice', 'another password', conn);
  await client.password('bob', PASSWORD, conn);
  t.equal(server.received.length, 3, 'another credential is asked');
  await new Promise((r) => setTimeout(r, 350));
  await client.password('alice', PASSWORD, conn);
  t.equal(server.received.length, 4, 'asked again once the answer expired');
  const key = AnswerCache.keyOf('password', 'alice', PASSWORD_B64);
  t.match(key, /^[A-Za-z0-9_-]{43}$/, 'a cache key is a SHA-256 digest');
  t.notMatch(key, /horse/);
});

void t.test('no password or token reached any log line', (t) => {
  // Runs last: every test above logged into `lines` (retries, refusals, answers at debug).
  t.ok(lines.length > 5, `${lines.length} lines captured`);
  for (const line of lines) {
    t.notOk(line.includes(PASSWORD) || line.includes(PASSWORD_B64) || line.includes('opaque'), 'no secret in a log line');
  }
  t.end();
});
