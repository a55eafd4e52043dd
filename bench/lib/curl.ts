// One transfer with curl, timed by curl itself: MB/s (10^6 bytes) of what it moved.
import { exec } from '../../testkit/exec.js';
import { headerArgs, type Endpoint } from '../peers/path.js';

export interface Transfer {
  bytes: number;
  seconds: number;
  status: number;
  mbps: number;
}

function parse(out: string): Transfer {
  const [bytes, seconds, status] = out.trim().split(' ').map(Number);
  const b = bytes ?? 0;
  const s = seconds ?? 0;
  return { bytes: b, seconds: s, status: status ?? 0, mbps: s > 0 ? b / s / 1e6 : 0 };
}

const COMMON = ['-sS', '-k', '--http1.1', '-o', '/dev/null'];

export async function download(ep: Endpoint, path: string, maxSeconds: number): Promise<Transfer> {
  const r = await exec('curl', [...COMMON, '--max-time', String(maxSeconds), ...headerArgs('-H', ep.headers), '-w', '%{size_download} %{time_total} %{http_code}', ep.base + path]);
  return parse(r.stdout);
}

export async function upload(ep: Endpoint, path: string, file: string, maxSeconds: number): Promise<Transfer> {
  const r = await exec('curl', [
    ...COMMON,
    '--max-time', String(maxSeconds),
    '-X', 'POST',
    '-T', file,
    '-H', 'Expect:',
    ...headerArgs('-H', ep.headers),
    '-w', '%{size_upload} %{time_total} %{http_code}',
    ep.base + path,
  ]);
  return parse(r.stdout);
}
