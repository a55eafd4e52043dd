// `ferry controller --workers 2` on the file store: two worker processes on the same ports,
// each a replica; the agent holds a session to both; requests all succeed and both workers
// serve some; a worker killed with SIGKILL comes back as a new replica the agent reaches;
// SIGTERM to the primary drains both and exits 0.
import t from 'tap';
import { request } from 'undici';
import { frontDoorClient } from '../../testkit/client.js';
import { waitUntil } from '../../testkit/metrics.js';
import { startTunnelEnv } from '../../testkit/tunnel-env.js';
import { startUpstream } from '../fixtures/upstream.js';

process.env['FERRY_DEBUG'] = 'requests';
const upstream = await startUpstream();
t.teardown(() => upstream.close());
const env = await startTunnelEnv({ workers: 2, replica: { heartbeat: '500ms', timeout: '3s' } }, { stopSignal: 'SIGTERM', grace: '2s' });
t.teardown(() => env.close());

void t.test('two workers serve on one port, the agent holds a session to each', async (t) => {
  const agent = await env.startAgent('w', [{ type: 'x-echo', name: 'demo', url: upstream.url }]);
  const replicasHeld = () => new Set(agent.lines.filter((l) => l.msg === 'connected to controller').map((l) => String(l.replica))).size;
  const started = Date.now();
  t.ok(await waitUntil(() => replicasHeld() === 2, 10_000), `the agent reached both workers in ${Date.now() - started} ms`);
  t.same([...new Set(env.controller.lines.filter((l) => l.msg === 'controller started').map((l) => l.frontDoor))].length, 1, 'both workers on one front-door port');

  const token = await env.token('w', 'x-echo', 'demo');
  const statuses: number[] = [];
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      // A connection of its own per client: the primary hands connections to workers in turn.
      const client = frontDoorClient(env.ca.certPem);
      for (let i = 0; i < 25; i++) {
        const res = await request(`${env.frontDoorUrl}/w`, { dispatcher: client, headers: { authorization: `Bearer ${token}` } });
        await res.body.dump();
        statuses.push(res.statusCode);
      }
      await client.close();
    }),
  );
  t.equal(statuses.filter((s) => s === 200).length, 200, '200 requests, all 200');
  const servedBy = new Set(env.controller.lines.filter((l) => l.msg === 'request done').map((l) => l.pid));
  t.equal(servedBy.size, 2, 'both worker processes served requests');
});

void t.test('a worker killed with SIGKILL is started again as a new replica, and the agent reaches it', async (t) => {
  const first = env.controller.lines.find((l) => l.msg === 'controller started' && String(l.replica).endsWith('-w1'));
  t.ok(first, 'worker 1 started');
  process.kill(Number(first!.pid), 'SIGKILL');
  const again = await env.controller.waitFor((l) => l.msg === 'controller started' && String(l.replica).endsWith('-w1-r1'), 20_000);
  t.pass(`restarted as ${String(again.replica)}`);
  t.ok(
    await waitUntil(() => env.controller.lines.some((l) => l.msg === 'agent connected' && l.pid === again.pid), 10_000),
    'the agent holds a session to the new worker',
  );
});

void t.test('SIGTERM to the primary drains both workers and exits 0', async (t) => {
  const code = await env.controller.stop('SIGTERM');
  t.equal(code, 0);
  t.equal(env.controller.count('controller stopped'), 2, 'each live worker stopped cleanly');
});
