// Scenario 1: 256 MiB download (nginx file) and upload (counted by the node upstream), one
// stream at a time, paths interleaved; median MB/s.
import { join } from 'node:path';
import { cpuMs } from '../lib/cpu.js';
import { download, upload } from '../lib/curl.js';
import { tunnelProcesses } from '../peers/tunnel-processes.js';
import { median } from '../lib/stats.js';
import { BIG, BIG_BYTES } from '../peers/files.js';
import type { BenchPath, PathName } from '../peers/path.js';
import type { World } from '../peers/setup.js';
import type { ResultRow, RunOptions } from '../report/result.js';
import { ratioTarget } from '../report/targets.js';

export async function throughput(world: World, opts: RunOptions): Promise<ResultRow[]> {
  const file = join(world.dir, 'www', BIG.slice(1));
  const down = new Map<PathName, number[]>();
  const up = new Map<PathName, number[]>();
  const cpu = new Map<PathName, number[]>();
  const maxSeconds = opts.quick ? 5 : 30; // a capped transfer still gives bytes ÷ time
  // One unmeasured round first: this is the first scenario, and a freshly started Node process
  // moved its first GiBs at ~60% of its warmed-up speed (JIT, heap growth), which nginx and ssh
  // do not have to overcome. Every path gets the same round.
  for (const p of opts.quick ? [] : world.paths) {
    await download(p.files, BIG, maxSeconds);
    await upload(p.node, '/upload', file, maxSeconds);
  }
  for (let rep = 0; rep < opts.reps; rep++) {
    for (const p of world.paths) {
      const pids = tunnelProcesses(world, p.name);
      const cpuBefore = cpuMs(pids);
      const d = await download(p.files, BIG, maxSeconds);
      if (pids.length > 0 && d.bytes > 0) push(cpu, p.name, (cpuMs(pids) - cpuBefore) / (d.bytes / 1e9) / 1000);
      check(p, 'download', d.status, d.bytes, BIG_BYTES, opts);
      const u = await upload(p.node, '/upload', file, maxSeconds);
      check(p, 'upload', u.status, u.bytes, BIG_BYTES, opts);
      push(down, p.name, d.mbps);
      push(up, p.name, u.mbps);
      opts.log(`  ${p.name}: download ${d.mbps.toFixed(0)} MB/s, upload ${u.mbps.toFixed(0)} MB/s`);
    }
  }
  const row = (metric: string, m: Map<PathName, number[]>): ResultRow => {
    const values = Object.fromEntries([...m].map(([k, v]) => [k, median(v)]));
    return { scenario: '1 throughput', metric, unit: 'MB/s', values, higherIsBetter: true, target: ratioTarget(values, '≥ 2× ssh -R', 2) };
  };
  const cpuValues = Object.fromEntries([...cpu].map(([k, v]) => [k, median(v)]));
  return [
    row('256 MiB download, 1 stream', down),
    row('256 MiB upload, 1 stream', up),
    { scenario: '1 throughput', metric: "download: CPU of the path's own processes per GB", unit: 'CPU s/GB', values: cpuValues, higherIsBetter: false },
  ];
}

function check(p: BenchPath, what: string, status: number, bytes: number, expected: number, opts: RunOptions): void {
  if (status !== 200 || bytes !== expected) opts.log(`  ! ${p.name} ${what}: status ${status}, ${bytes} of ${expected} bytes`);
}

export function push<K>(m: Map<K, number[]>, k: K, v: number): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}
