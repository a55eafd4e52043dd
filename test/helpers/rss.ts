// Resident memory of a process from /proc, sampled while a test runs.
import { readFileSync } from 'node:fs';

export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /VmRSS:\s+(\d+) kB/.exec(status);
  return m ? Number(m[1]) * 1024 : 0;
}

export function sampleRss(pids: number[], everyMs = 100): { stop(): number[] } {
  const peaks = pids.map((p) => rssBytes(p));
  const timer = setInterval(() => {
    pids.forEach((p, i) => {
      try {
        peaks[i] = Math.max(peaks[i]!, rssBytes(p));
      } catch {
        // process gone
      }
    });
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return peaks;
    },
  };
}
