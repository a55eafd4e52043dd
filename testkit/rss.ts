// Resident memory of a process, read from /proc/PID/status, sampled while a test or a
// benchmark runs.
import { readFileSync } from 'node:fs';

export function rssBytes(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0; // process gone
  }
}

/** Samples the peak RSS of some processes until stop(). */
export function sampleRss(pids: readonly number[], everyMs = 100): { stop(): number[] } {
  const peaks = pids.map(rssBytes);
  const timer = setInterval(() => pids.forEach((p, i) => (peaks[i] = Math.max(peaks[i]!, rssBytes(p)))), everyMs);
  return {
    stop() {
      clearInterval(timer);
      pids.forEach((p, i) => (peaks[i] = Math.max(peaks[i]!, rssBytes(p))));
      return peaks;
    },
  };
}
