// Scenario 6: N clients hold an endless streaming response (the node upstream ticks every
// 100 ms), then all abort at once. Measured: time from the abort until the upstream sees
// each close (p50/p99/max), closes that never arrive (leaked), and for ferry the
// open-stream gauges of controller and agent afterwards.
import { request } from 'undici';
import { benchClient } from '../../testkit/client.js';
import { scrapeValue } from '../../testkit/metrics.js';
import { percentile, sleep } from '../lib/stats.js';
import type { BenchPath, PathName } from '../peers/path.js';
import type { World } from '../peers/setup.js';
import type { ResultRow, RunOptions } from '../report/result.js';
import { maxTarget } from '../report/targets.js';

const wallClock = () => performance.timeOrigin + performance.now();

interface StormResult {
  /** Why some clients never got their stream (status + body, or error). */
  refusals: string;
  p50: number;
  p99: number;
  max: number;
  leaked: number;
  opened: number;
}

async function storm(world: World, p: BenchPath, clients: number, settleMs: number): Promise<StormResult> {
  const prefix = `${p.name.replace(/\W/g, '')}-${Date.now()}-`;
  const ids = Array.from({ length: clients }, (_, i) => `${prefix}${i}`);
  // A client of its own for each stream, destroyed to abort. Aborting through a signal
  // leaves the request in undici's queue, so undici dials a fresh connection for each
  // one: 1,000 TLS handshakes landing on the proxy while it handles the cancels, which
  // clients that go away do not do.
  const dispatchers = ids.map(() => benchClient(1));
  const refusals = new Map<string, number>();
  const refused = (why: string) => refusals.set(why, (refusals.get(why) ?? 0) + 1);
  try {
    const opened = await Promise.all(
      ids.map(async (id, i) => {
        try {
          const res = await request(`${p.node.base}/stream?id=${id}`, { dispatcher: dispatchers[i]!, headers: p.node.headers });
          if (res.statusCode !== 200) {
            refused(`${res.statusCode} ${(await res.body.text()).slice(0, 120)}`);
            return false;
          }
          res.body.on('error', () => undefined);
          await new Promise((r) => res.body.once('data', r)); // the first tick arrived
          return true;
        } catch (err) {
          refused((err as Error).message);
          return false;
        }
      }),
    );
    // Each close is timed from its own abort; the aborts themselves take a while for N.
    const abortedAt = new Map<string, number>();
    ids.forEach((id, i) => {
      abortedAt.set(id, wallClock());
      void dispatchers[i]!.destroy().catch(() => undefined);
    });
    const end = Date.now() + settleMs;
    let state = await world.nodeUpstream.state(prefix);
    while (Date.now() < end && state.started.some((id) => state.closed[id] === undefined)) {
      await sleep(50);
      state = await world.nodeUpstream.state(prefix);
    }
    const closed = state.started.filter((id) => state.closed[id] !== undefined);
    const latencies = closed.map((id) => state.closed[id]! - abortedAt.get(id)!);
    const started = state.started;
    return {
      refusals: [...refusals].map(([why, n]) => `${n}× ${why}`).join('; '),
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      max: percentile(latencies, 100),
      leaked: started.length - latencies.length,
      opened: opened.filter(Boolean).length,
    };
  } finally {
    await Promise.all(dispatchers.map((d) => d.destroy().catch(() => undefined)));
  }
}

export async function cancelStorm(world: World, opts: RunOptions): Promise<ResultRow[]> {
  const clients = opts.quick ? 300 : 1000;
  const settleMs = opts.quick ? 3000 : 5000;
  const results = new Map<PathName, StormResult>();
  for (const p of world.paths) {
    const r = await storm(world, p, clients, settleMs);
    results.set(p.name, r);
    opts.log(`  ${p.name}: ${r.opened}/${clients} open, close reached upstream p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, max ${r.max.toFixed(1)} ms, leaked ${r.leaked}${r.refusals ? `; not opened: ${r.refusals}` : ''}`);
    await sleep(200);
  }
  const gauges = {
    controller: await scrapeValue(world.ferry.ports.metrics, 'ferry_open_streams{side="controller"}'),
    agent: await scrapeValue(world.agent.metricsPort, 'ferry_open_streams{side="agent"}'),
  };
  opts.log(`  ferry open-stream gauges after the storm: controller ${gauges.controller}, agent ${gauges.agent}`);
  const pick = (f: (r: StormResult) => number) => Object.fromEntries([...results].map(([k, v]) => [k, f(v)]));
  const scenario = `6 cancel storm (${clients} clients)`;
  const p99 = pick((r) => r.p99);
  const leaked = pick((r) => r.leaked);
  return [
    { scenario, metric: 'abort → upstream close, p50', unit: 'ms', values: pick((r) => r.p50), higherIsBetter: false },
    { scenario, metric: 'abort → upstream close, p99', unit: 'ms', values: p99, higherIsBetter: false, target: maxTarget(p99['ferry'], 1000, '≤ 1 s') },
    { scenario, metric: 'abort → upstream close, max', unit: 'ms', values: pick((r) => r.max), higherIsBetter: false },
    { scenario, metric: `upstream streams never closed (after ${settleMs / 1000} s)`, unit: 'streams', values: leaked, higherIsBetter: false, target: maxTarget(leaked['ferry'], 0, '0 leaked') },
    {
      scenario,
      metric: 'ferry open-stream gauges after (controller + agent)',
      unit: 'streams',
      values: { ferry: gauges.controller + gauges.agent },
      higherIsBetter: false,
      target: maxTarget(gauges.controller + gauges.agent, 0, 'back to 0'),
    },
  ];
}
