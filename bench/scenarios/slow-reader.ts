// Scenario 4: one client stops reading a 1 GiB response while 64 connections run 1 KiB
// GETs. Per path: the small-request p99 without and with the stalled reader (interleaved).
// For ferry, the RSS of controller and agent the stalled reader costs: the peak under the
// load beside it minus the peak under the same load alone, just before. (Until issue 16 the
// baseline was the RSS at rest after the load alone, so a fresh process's heap growth under
// load counted as the reader's; both figures are logged.)
import { h2load, type LoadResult } from '../lib/h2load.js';
import { rssBytes, sampleRss } from '../../testkit/rss.js';
import { stalledReader } from '../lib/stalled-reader.js';
import { median, MiB, sleep } from '../lib/stats.js';
import { HUGE, SMALL } from '../peers/files.js';
import type { PathName } from '../peers/path.js';
import type { World } from '../peers/setup.js';
import type { ResultRow, RunOptions } from '../report/result.js';
import { maxTarget } from '../report/targets.js';

export async function slowReader(world: World, opts: RunOptions): Promise<ResultRow[]> {
  const seconds = opts.quick ? 1 : 4;
  const base = new Map<PathName, LoadResult[]>();
  const stalled = new Map<PathName, LoadResult[]>();
  const pids = [world.ferry.controller.child.pid!, world.agent.process.child.pid!];
  const rssGrowth: number[][] = [];
  const rssOverRest: number[][] = [];
  const rssStallOnly: number[][] = [];
  for (let rep = 0; rep < opts.reps; rep++) {
    for (const p of world.paths) {
      const aloneSampler = sampleRss(pids);
      const b = await h2load(p.files, SMALL, 64, seconds);
      const alonePeaks = aloneSampler.stop();
      base.set(p.name, [...(base.get(p.name) ?? []), b]);
      const atRest = pids.map(rssBytes);
      const sampler = sampleRss(pids);
      const reader = await stalledReader(p.files, HUGE);
      await sleep(1000); // let every buffer on the way fill up
      const stallOnly = pids.map(rssBytes);
      const s = await h2load(p.files, SMALL, 64, seconds);
      const peaks = sampler.stop();
      reader.close();
      stalled.set(p.name, [...(stalled.get(p.name) ?? []), s]);
      if (p.name === 'ferry') {
        rssGrowth.push(peaks.map((peak, i) => (peak - alonePeaks[i]!) / MiB));
        rssOverRest.push(peaks.map((peak, i) => (peak - atRest[i]!) / MiB));
        rssStallOnly.push(stallOnly.map((r, i) => (r - atRest[i]!) / MiB));
      }
      opts.log(`  ${p.name}: p99 ${b.p99ms.toFixed(1)} ms → ${s.p99ms.toFixed(1)} ms with a stalled reader; ${b.rps.toFixed(0)} → ${s.rps.toFixed(0)} req/s`);
      await sleep(300);
    }
  }
  const show = (runs: number[][]) => runs.map((g) => g.map((x) => x.toFixed(1)).join('/')).join(', ');
  opts.log(`  ferry RSS while stalled over the load alone (MiB, controller/agent): ${show(rssGrowth)}; over the RSS at rest: ${show(rssOverRest)}; the stall with no load, over the RSS at rest: ${show(rssStallOnly)}`);
  const p99 = (m: Map<PathName, LoadResult[]>) => Object.fromEntries([...m].map(([k, v]) => [k, median(v.map((r) => r.p99ms))]));
  const b99 = p99(base);
  const s99 = p99(stalled);
  const rise = Object.fromEntries(Object.keys(b99).map((k) => [k, s99[k]! - b99[k]!]));
  const scenario = '4 slow reader';
  const ctl = median(rssGrowth.map((g) => g[0]!));
  const agent = median(rssGrowth.map((g) => g[1]!));
  return [
    { scenario, metric: '1 KiB GET p99 at 64 conn, alone', unit: 'ms', values: b99, higherIsBetter: false },
    { scenario, metric: '… beside a stalled 1 GiB reader', unit: 'ms', values: s99, higherIsBetter: false },
    { scenario, metric: '… p99 rise', unit: 'ms', values: rise, higherIsBetter: false, ratios: false, target: maxTarget(rise['ferry'], 10, '< 10 ms') },
    { scenario, metric: 'ferry RSS rise while stalled (over the load alone), controller', unit: 'MiB', values: { ferry: ctl }, higherIsBetter: false, target: maxTarget(ctl, 32, '< 32 MiB') },
    { scenario, metric: 'ferry RSS rise while stalled (over the load alone), agent', unit: 'MiB', values: { ferry: agent }, higherIsBetter: false, target: maxTarget(agent, 32, '< 32 MiB') },
  ];
}
