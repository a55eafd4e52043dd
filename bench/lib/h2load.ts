// A closed-loop load run with h2load in HTTP/1.1 mode (keep-alive, TLS unverified): req/s, and
// p50/p99 from its per-request log. Used instead of hey for the small-request scenarios: hey
// (Go 1.19's HTTP client) opened and abandoned a TLS connection per request once a server
// slowed down, so at 64+ connections it measured handshakes, not requests (README notes).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exec } from '../../testkit/exec.js';
import { headerArgs, type Endpoint } from '../peers/path.js';
import { percentile } from './stats.js';

export interface LoadResult {
  rps: number;
  p50ms: number;
  p99ms: number;
  ok: number;
  failed: number;
}

export function parseH2load(out: string, durationsUs: number[]): LoadResult {
  const num = (re: RegExp): number => {
    const m = re.exec(out);
    return m ? Number(m[1]) : Number.NaN;
  };
  const ms = durationsUs.map((d) => d / 1000);
  return {
    rps: num(/finished in [\d.]+m?s, ([\d.]+) req\/s/),
    p50ms: ms.length > 0 ? percentile(ms, 50) : Number.NaN,
    p99ms: ms.length > 0 ? percentile(ms, 99) : Number.NaN,
    ok: num(/status codes: (\d+) 2xx/),
    failed: num(/(\d+) failed/) + num(/(\d+) errored/) + num(/(\d+) timeout/),
  };
}

/** The first second (connections, TLS handshakes, JIT warm-up) is not measured. */
export const WARM_UP_SECONDS = 1;

/** `onMeasured` is called when measuring starts (after the warm-up), e.g. to read CPU counters. */
export async function h2load(ep: Endpoint, path: string, connections: number, seconds: number, onMeasured?: () => void): Promise<LoadResult> {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-h2load-'));
  try {
    const log = join(dir, 'requests.tsv');
    const args = ['--h1', '-c', String(connections), '-D', String(seconds), `--warm-up-time=${WARM_UP_SECONDS}`, ...headerArgs('-H', ep.headers), `--log-file=${log}`, ep.base + path];
    const timer = onMeasured ? setTimeout(onMeasured, WARM_UP_SECONDS * 1000) : undefined;
    // h2load -D has been seen to never finish: a hard stop well after the run's end.
    const r = await exec('h2load', args, { timeoutMs: (WARM_UP_SECONDS + seconds + 60) * 1000 });
    clearTimeout(timer);
    const text = await readFile(log, 'utf8').catch(() => '');
    // Columns: start time (µs), status, duration (µs).
    const durations = text
      .split('\n')
      .map((line) => line.split('\t'))
      .filter((cols) => cols.length >= 3 && cols[1]!.startsWith('2'))
      .map((cols) => Number(cols[2]));
    return parseH2load(r.stdout, durations);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
