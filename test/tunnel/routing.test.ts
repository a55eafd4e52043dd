// Several agents of one name share the load; a draining one gets nothing new while its
// in-flight request finishes; unknown services are 404, unknown agents 503.
import t from 'tap';
import { request } from 'undici';
import { frontDoorClient } from '../../testkit/client.js';
import { startTunnelEnv } from '../../testkit/tunnel-env.js';
import { startUpstream } from '../fixtures/upstream.js';

const up1 = await startUpstream();
const up2 = await startUpstream();
const env = await startTunnelEnv();
const agent1 = await env.startAgent('shared', [{ type: 'x-echo', name: 'demo', url: up1.url }]);
await env.startAgent('shared', [{ type: 'x-echo', name: 'demo', url: up2.url }]);
const token = await env.token('shared', 'x-echo', 'demo');
t.teardown(async () => {
  await env.close();
  await up1.close();
  await up2.close();
});

void t.test('two agents with one name share the load', async (t) => {
  const client = frontDoorClient(env.ca.certPem);
  t.teardown(() => client.close());
  // Only this test's requests: the agents' health probes (GET / every 10 s) reach the upstreams too.
  const served = (up: typeof up1) => up.requests.filter((r) => r.url === '/slow-ish').length;
  const before = [served(up1), served(up2)];
  await Promise.all(
    Array.from({ length: 100 }, async () => {
      const r = await request(`${env.frontDoorUrl}/slow-ish`, { dispatcher: client, headers: { 'x-ferry-token': token } });
      await r.body.dump();
    }),
  );
  const n1 = served(up1) - before[0]!;
  const n2 = served(up2) - before[1]!;
  t.equal(n1 + n2, 100);
  t.ok(n1 > 10 && n2 > 10, `both served (${n1} / ${n2})`);
});

void t.test('a draining agent finishes its in-flight request and gets nothing new', async (t) => {
  const client = frontDoorClient(env.ca.certPem);
  t.teardown(() => client.close());
  // Start long requests until one lands on agent 1's upstream.
  const inflight: Promise<string>[] = [];
  while (up1.requests.filter((r) => r.url.startsWith('/silent')).length === 0) {
    inflight.push(
      request(`${env.frontDoorUrl}/silent?ms=3000`, { dispatcher: client, headers: { 'x-ferry-token': token } }).then((r) => r.body.text()),
    );
    await new Promise((r) => setTimeout(r, 50));
  }
  agent1.child.kill('SIGTERM');
  await agent1.waitForMsg('draining: waiting for in-flight requests');
  await env.controller.waitForMsg('agent draining');
  const before = up1.requests.length;
  for (let i = 0; i < 30; i++) {
    const r = await request(`${env.frontDoorUrl}/during-drain`, { dispatcher: client, headers: { 'x-ferry-token': token } });
    t.equal(r.statusCode, 200);
    await r.body.dump();
  }
  t.equal(up1.requests.length, before, 'the draining agent got no new request');
  const texts = await Promise.all(inflight);
  t.ok(texts.every((x) => x === 'first\nsecond\n'), 'in-flight requests finished completely');
  t.equal(await agent1.exited, 0, 'the drained agent exited cleanly');
});

void t.test('unknown service → 404, unknown agent → 503, both JSON', async (t) => {
  const client = frontDoorClient(env.ca.certPem);
  t.teardown(() => client.close());
  const other = await env.token('shared', 'x-echo', 'other');
  const r404 = await request(`${env.frontDoorUrl}/`, { dispatcher: client, headers: { 'x-ferry-token': other } });
  t.equal(r404.statusCode, 404);
  t.equal(((await r404.body.json()) as { error: { code: string } }).error.code, 'FERRY_ERR_NO_SERVICE');
  const ghost = await env.token('ghost', 'x-echo', 'demo');
  const r503 = await request(`${env.frontDoorUrl}/`, { dispatcher: client, headers: { 'x-ferry-token': ghost } });
  t.equal(r503.statusCode, 503);
  t.match(((await r503.body.json()) as { error: { message: string } }).error.message, /ghost/);
});
