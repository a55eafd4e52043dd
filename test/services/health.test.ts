// Health travels to the controller: a service whose probe fails is reported unhealthy
// (ServicesUpdate), the front door answers 503 without bothering the agent, and the
// service comes back when its probe passes again. A 401 to a credentialed probe means
// the agent's own credential was refused.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { request } from 'undici';
import { frontDoorClient } from '../../testkit/client.js';
import { startTunnelEnv } from '../../testkit/tunnel-env.js';
import { watchLog } from '../../testkit/log-watch.js';
import { eventually, startRecorder } from './recorder.js';

const env = await startTunnelEnv();
const upstream = await startRecorder();
const dir = await mkdtemp(join(tmpdir(), 'ferry-health-'));
await writeFile(join(dir, 'token'), 'probe-token-123');
const fast = { interval: '150ms', timeout: '1s', failures: 2 };
const agent = await env.startAgent('h1', [
  { type: 'kubernetes', name: 'k8s', url: `${upstream.url}/k8s`, credential: { kind: 'bearer', token: { file: join(dir, 'token') } }, health: fast },
  { type: 'x-web', name: 'web', url: `${upstream.url}/web`, health: { ...fast, path: '/ping' } },
]);
const client = frontDoorClient(env.ca.certPem);
t.teardown(async () => {
  await client.close();
  await env.close();
  await upstream.close();
  await rm(dir, { recursive: true, force: true });
});

async function call(type: string, name: string): Promise<{ status: number; body: { error?: { code: string; message: string } } }> {
  const token = await env.token('h1', type, name);
  const res = await request(`${env.frontDoorUrl}/x`, { dispatcher: client, headers: { 'x-ferry-token': token } });
  return { status: res.statusCode, body: (await res.body.json()) as { error?: { code: string; message: string } } };
}

void t.test('kubernetes is probed at /readyz by default, with its credential', async (t) => {
  t.ok(await eventually(() => upstream.to('/k8s/readyz').length > 0, 5000));
  const probe = upstream.last('/k8s/readyz');
  t.equal(probe.headers.get('authorization')?.[0], 'Bearer probe-token-123');
  t.match(probe.headers.get('user-agent')?.[0], /ferry-agent\/h1 \(health\)/);
  t.equal((await call('kubernetes', 'k8s')).status, 200);
});

void t.test('an unhealthy service gets 503 from the front door and recovers', async (t) => {
  const log = watchLog(agent);
  upstream.status.set('/k8s/readyz', 500);
  const line = await log.next((l) => l.msg === 'service unhealthy' && l['service'] === 'kubernetes/k8s', 5000);
  t.equal(line['reason'], 'health probe GET /readyz answered 500');
  let r = await call('kubernetes', 'k8s');
  t.ok(await eventually(async () => (r = await call('kubernetes', 'k8s')).status === 503, 5000), 'routed nowhere');
  t.equal(r.body.error?.code, 'FERRY_ERR_UNAVAILABLE');
  t.match(r.body.error?.message, /service kubernetes\/k8s on agent \S+ is unhealthy: health probe GET \/readyz answered 500/, 'the 503 says why');
  const before = upstream.to('/k8s/x').length;
  t.equal((await call('kubernetes', 'k8s')).status, 503);
  t.equal(upstream.to('/k8s/x').length, before, 'refused requests do not reach the upstream');
  t.equal((await call('x-web', 'web')).status, 200, 'the other service is unaffected');

  upstream.status.delete('/k8s/readyz');
  await log.next((l) => l.msg === 'service healthy again' && l['service'] === 'kubernetes/k8s', 5000);
  t.ok(await eventually(async () => (await call('kubernetes', 'k8s')).status === 200, 5000), 'routed again');
});

void t.test('a 401 to a credentialed probe: the credential was refused', async (t) => {
  const log = watchLog(agent);
  upstream.status.set('/k8s/readyz', 401);
  const line = await log.next((l) => l.msg === 'service unhealthy' && l['service'] === 'kubernetes/k8s', 5000);
  t.equal(line['reason'], "the upstream refused the agent's credential (health probe GET /readyz answered 401)");
  upstream.status.delete('/k8s/readyz');
  await log.next((l) => l.msg === 'service healthy again' && l['service'] === 'kubernetes/k8s', 5000);
});

void t.test('a configured path; an unreachable upstream', async (t) => {
  t.ok(upstream.to('/web/ping').length > 0, 'x-web probed at its configured path');
  t.equal(upstream.to('/web/').length, 0, 'not at the default');
  const log = watchLog(agent);
  await upstream.close();
  const line = await log.next((l) => l.msg === 'service unhealthy' && l['service'] === 'x-web/web', 5000);
  t.match(String(line['reason']), /^health probe GET \/ping failed: .*ECONNREFUSED/);
});
