// The pool of idle Stream calls under bursts: streams coming back from requests stay for a
// trim interval instead of being closed at once (and reopened by the agent a moment later);
// once a burst is over for longer than that, the surplus is trimmed.
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { request } from 'undici';
import { TRIM_INTERVAL_MS } from '../../src/controller/agent-session.js';
import { frontDoorClient } from '../../testkit/client.js';
import { scrapeValue } from '../../testkit/metrics.js';
import { freePort } from '../../testkit/net.js';
import { startTunnelEnv } from '../../testkit/tunnel-env.js';
import { startUpstream } from '../fixtures/upstream.js';

const BURST = 32;
const upstream = await startUpstream();
const env = await startTunnelEnv({ streams: { maxIdlePerSession: 4 } });
const agentMetrics = await freePort();
await env.startAgent('a1', [{ type: 'x-echo', name: 'demo', url: upstream.url }], {
  streams: { minIdle: 2 },
  metrics: { listen: `127.0.0.1:${agentMetrics}` },
});
const token = await env.token('a1', 'x-echo', 'demo');
const client = frontDoorClient(env.ca.certPem);
t.teardown(async () => {
  await client.close();
  await env.close();
  await upstream.close();
});

const opened = () => scrapeValue(agentMetrics, 'ferry_tunnel_streams_opened_total');

/** BURST requests at once, each held 200 ms by the upstream so they overlap. */
async function burst(): Promise<void> {
  const statuses = await Promise.all(
    Array.from({ length: BURST }, async () => {
      const res = await request(`${env.frontDoorUrl}/silent?ms=200`, { dispatcher: client, headers: { 'X-Ferry-Token': token } });
      await res.body.text();
      return res.statusCode;
    }),
  );
  if (statuses.some((s) => s !== 200)) throw new Error(`statuses: ${statuses.join(',')}`);
}

void t.test('bursts close together reuse the streams of the first', async (t) => {
  const before = await opened();
  await burst();
  const first = (await opened()) - before;
  t.ok(first >= BURST - 4, `the first burst opened streams for its requests (${first})`);
  for (let i = 0; i < 3; i++) {
    await sleep(TRIM_INTERVAL_MS / 4);
    await burst();
  }
  const later = (await opened()) - before - first;
  // Closing returning streams at once (maxIdlePerSession 4) made each burst open ~28 again.
  t.ok(later <= 8, `three more bursts opened ${later} streams (≤ 8)`);
});

void t.test('after a quiet spell the surplus is trimmed, and the next burst opens streams again', async (t) => {
  await sleep(TRIM_INTERVAL_MS * 2 + 500);
  const before = await opened();
  await burst();
  const reopened = (await opened()) - before;
  t.ok(reopened >= BURST - 8, `the pool had shrunk: the burst opened ${reopened} streams`);
});
