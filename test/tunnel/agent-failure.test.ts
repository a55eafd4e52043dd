// An agent killed with SIGKILL mid-response: the client's connection is reset at once
// (never a hang), and the agent's next instance serves again.
import t from 'tap';
import { request } from 'undici';
import { frontDoorClient } from '../../testkit/client.js';
import { waitUntil } from '../../testkit/metrics.js';
import { startTunnelEnv } from '../../testkit/tunnel-env.js';
import { startUpstream } from '../fixtures/upstream.js';

const upstream = await startUpstream();
const env = await startTunnelEnv();
const services = [{ type: 'x-stream', name: 'ticks', url: upstream.url }];
const first = await env.startAgent('a1', services);
const token = await env.token('a1', 'x-stream', 'ticks');
t.teardown(async () => {
  await env.close();
  await upstream.close();
});

void t.test('SIGKILL mid-response resets the client at once; a new instance serves', async (t) => {
  const client = frontDoorClient(env.ca.certPem);
  t.teardown(() => client.close());
  const res = await request(`${env.frontDoorUrl}/stream`, { dispatcher: client, headers: { 'x-ferry-token': token } });
  t.equal(res.statusCode, 200);
  const iter = res.body[Symbol.asyncIterator]();
  await iter.next();
  first.child.kill('SIGKILL');
  const killedAt = Date.now();
  let error: unknown;
  try {
    for (;;) if ((await iter.next()).done) break;
  } catch (err) {
    error = err;
  }
  const after = Date.now() - killedAt;
  t.ok(error, 'the response ended in an error, not a clean end');
  t.ok(after < 3_000, `the client learned within ${after} ms`);

  const down = await request(`${env.frontDoorUrl}/echo`, { dispatcher: client, headers: { 'x-ferry-token': token } });
  t.equal(down.statusCode, 503, 'no agent: 503');
  const body = (await down.body.json()) as { error: { code: string; message: string } };
  t.equal(body.error.code, 'FERRY_ERR_NO_AGENT');
  t.match(body.error.message, /a1/, 'the error names the agent');

  await env.startAgent('a1', services);
  t.ok(
    await waitUntil(async () => {
      const r = await request(`${env.frontDoorUrl}/echo`, { dispatcher: client, headers: { 'x-ferry-token': token } });
      await r.body.dump();
      return r.statusCode === 200;
    }),
    'the next instance serves',
  );
  t.ok(await waitUntil(() => upstream.openStreams === 0), 'the upstream request of the killed agent was closed');
});
