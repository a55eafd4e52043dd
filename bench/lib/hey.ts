// A closed-loop load run with hey (HTTP/1.1 keep-alive, TLS unverified): req/s, p50, p99.
import { exec } from './exec.js';
import { headerArgs, type Endpoint } from '../peers/path.js';

export interface LoadResult {
  rps: number;
  p50ms: number;
  p99ms: number;
  ok: number;
  failed: number;
}

export function parseHey(out: string): LoadResult {
  const num = (re: RegExp): number => {
    const m = re.exec(out);
    return m ? Number(m[1]) : Number.NaN;
  };
  let ok = 0;
  let failed = 0;
  for (const m of out.matchAll(/\[(\d+)\]\s+(\d+) responses/g)) {
    if (m[1] === '200') ok += Number(m[2]);
    else failed += Number(m[2]);
  }
  const errors = /Error distribution:\n([\s\S]*)$/.exec(out);
  if (errors) for (const m of errors[1]!.matchAll(/\[(\d+)\]/g)) failed += Number(m[1]);
  return {
    rps: num(/Requests\/sec:\s+([\d.]+)/),
    p50ms: num(/50% in ([\d.]+) secs/) * 1000,
    p99ms: num(/99% in ([\d.]+) secs/) * 1000,
    ok,
    failed,
  };
}

export async function hey(ep: Endpoint, path: string, connections: number, seconds: number): Promise<LoadResult> {
  const r = await exec('hey', ['-z', `${seconds}s`, '-c', String(connections), '-t', '30', ...headerArgs('-H', ep.headers), ep.base + path], {
    timeoutMs: (seconds + 60) * 1000,
  });
  return parseHey(r.stdout);
}
