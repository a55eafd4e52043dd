// Scenario 2: 1 KiB GETs from nginx with h2load (HTTP/1.1) at 1, 16, 64 and 256 connections, paths
// interleaved per connection count; median req/s, p50 and p99 over the repetitions.
import { cpuMs } from '../lib/cpu.js';
import { tunnelProcesses } from '../peers/tunnel-processes.js';
import { h2load, type LoadResult } from '../lib/h2load.js';
import { median } from '../lib/stats.js';
import { SMALL } from '../peers/files.js';
import type { PathName } from '../peers/path.js';
import type { World } from '../peers/setup.js';
import type { ResultRow, RunOptions } from '../report/result.js';
import { maxTarget, ratioTarget } from '../report/targets.js';

export const CONNECTIONS = [1, 16, 64, 256];

export async function smallRequests(world: World, opts: RunOptions): Promise<ResultRow[]> {
  const seconds = opts.quick ? 1 : 4;
  const rows: ResultRow[] = [];
  for (const c of CONNECTIONS) {
    const runs = new Map<PathName, LoadResult[]>();
    const cpuPerRequest = new Map<PathName, number[]>();
    for (let rep = 0; rep < opts.reps; rep++) {
      for (const p of world.paths) {
        const pids = tunnelProcesses(world, p.name);
        let cpuBefore = cpuMs(pids);
        const r = await h2load(p.files, SMALL, c, seconds, () => (cpuBefore = cpuMs(pids)));
        if (pids.length > 0 && r.ok > 0) cpuPerRequest.set(p.name, [...(cpuPerRequest.get(p.name) ?? []), ((cpuMs(pids) - cpuBefore) * 1000) / r.ok]);
        if (r.failed > 0 || !Number.isFinite(r.rps)) opts.log(`  ! ${p.name} c=${c}: ${r.failed} failed responses`);
        runs.set(p.name, [...(runs.get(p.name) ?? []), r]);
        opts.log(`  ${p.name} c=${c}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50ms.toFixed(2)} ms, p99 ${r.p99ms.toFixed(2)} ms`);
      }
    }
    const pick = (f: (r: LoadResult) => number) => Object.fromEntries([...runs].map(([k, v]) => [k, median(v.map(f))]));
    const rps = pick((r) => r.rps);
    const p99 = pick((r) => r.p99ms);
    const scenario = '2 small requests';
    const failures = [...runs].filter(([, v]) => v.some((r) => r.failed > 0)).map(([k, v]) => `${k}: ${v.reduce((n, r) => n + r.failed, 0)} failed`);
    const note = failures.length > 0 ? failures.join(', ') : undefined;
    rows.push(
      { scenario, metric: `1 KiB GET, ${c} conn: rate`, unit: 'req/s', values: rps, higherIsBetter: true, note, target: c === 64 ? ratioTarget(rps, '≥ 2× ssh -R', 2) : undefined },
      { scenario, metric: `1 KiB GET, ${c} conn: p50`, unit: 'ms', values: pick((r) => r.p50ms), higherIsBetter: false },
      {
        scenario,
        metric: `1 KiB GET, ${c} conn: CPU of the path's own processes per request`,
        unit: 'µs',
        values: Object.fromEntries([...cpuPerRequest].map(([k, v]) => [k, median(v)])),
        higherIsBetter: false,
      },
      { scenario, metric: `1 KiB GET, ${c} conn: p99`, unit: 'ms', values: p99, higherIsBetter: false, target: c === 64 ? maxTarget(p99['ferry'], 25, '≤ 25 ms') : undefined },
    );
  }
  return rows;
}
