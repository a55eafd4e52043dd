// The config webhook client: the per-caller sections are accepted, any other section is
// refused whole with a logged reason, unknown fields inside a section are dropped with
// one warning, and a switched-off client never calls.
import t, { type Test } from 'tap';
import { ConfigWebhookClient, type ConfigWebhookClientOptions } from '../../src/webhooks/index.js';
import { capturedLog, json, scriptedServer } from './webhook-kit.js';

const conn = { remoteAddress: '127.0.0.1:1' };
let answer: unknown = {};
const server = await scriptedServer((_r, res) => json(res, 200, answer));
const { log, lines } = capturedLog();
t.teardown(() => server.close());

function client(t: Test, options: Partial<ConfigWebhookClientOptions> = {}) {
  const c = new ConfigWebhookClient({ url: `${server.url}/config`, allowPlainHttp: true, log, cacheTtlMs: 0, retryIntervalMs: 50, deadlineMs: 300, ...options });
  t.teardown(() => c.close());
  return c;
}

void t.test('the sections that may vary by caller are accepted', async (t) => {
  const config = {
      agents: ['a1'],
      routes: ['a1/kubernetes/*'],
      impersonation: { user: 'alice@corp', groups: ['ops'] },
      rateLimits: { requestsPerSecond: 5, burst: 10 },
      streamLimits: { maxConcurrentStreams: 4 },
  };
  answer = { config };
  t.same(await client(t).get('alice', 'alice', conn), config);
});

void t.test('any other section is refused with the reason logged', async (t) => {
  answer = { config: { routes: ['a1/x/y'], ca: { cert: '/tmp/evil.crt' }, frontDoor: { listen: ':80' } } };
  const before = lines.length;
  await t.rejects(client(t).get('alice', 'alice', conn), {
    code: 'FERRY_ERR_FORBIDDEN',
    message: /sections "ca", "frontDoor" that may not vary by caller \(allowed: agents, routes, impersonation, rateLimits, streamLimits\)/,
  });
  t.ok(lines.slice(before).some((l) => l.includes('config webhook answer refused') && l.includes('frontDoor')), 'logged with the reason');
});

void t.test('a bad value in an allowed section is refused', async (t) => {
  answer = { config: { routes: ['not a route'] } };
  await t.rejects(client(t).get('alice', 'alice', conn), { code: 'FERRY_ERR_FORBIDDEN', message: /routes\.0: a route is "agent\/type\/name"/ });
});

void t.test('unknown fields in a section or beside config: dropped, one warning each', async (t) => {
  answer = { config: { rateLimits: { requestsPerSecond: 1, perMinute: 9 } }, version: 2 };
  const before = lines.length;
  const c = client(t);
  t.same(await c.get('alice', 'alice', conn), { rateLimits: { requestsPerSecond: 1 } });
  t.same(await c.get('bob', 'bob', conn), { rateLimits: { requestsPerSecond: 1 } });
  const fields = lines.slice(before).filter((l) => l.includes('unknown field')).map((l) => (JSON.parse(l) as { field: string }).field);
  t.same(fields.sort(), ['perMinute', 'version']);
});

void t.test('switched off: {} without a call', async (t) => {
  const before = server.received.length;
  t.same(await client(t, { enabled: false }).get('alice', 'alice', conn), {});
  t.equal(server.received.length, before);
});
