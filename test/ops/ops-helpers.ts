// Shared by the operations tests: free ports, the ops endpoints, a real Prometheus, and
// promtool.
import { spawn, spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort } from '../../testkit/net.js';

export { freePort };


/** Status of an ops endpoint; 0 when nothing answers. */
export async function opsStatus(port: number, path: '/healthz' | '/readyz'): Promise<number> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}${path}`);
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}

export async function scrape(port: number): Promise<string> {
  return (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
}

export const hasProgram = (name: string, args: string[] = ['--version']): boolean => !spawnSync(name, args).error;

/** `promtool check metrics` on a scrape: exit code and what it said. */
export function promtoolCheckMetrics(text: string): { status: number | null; output: string } {
  const run = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

export interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
}

export interface Prometheus {
  port: number;
  query(promql: string): Promise<PromSample[]>;
  stderr(): string;
  close(): void;
}

/** A real Prometheus scraping each job's target every second. */
export async function startPrometheus(dir: string, targets: Record<string, number>): Promise<Prometheus> {
  const config = join(dir, 'prometheus.yml');
  const jobs = Object.entries(targets).flatMap(([job, port]) => [
    `  - job_name: ${job}`,
    '    static_configs:',
    `      - targets: ["127.0.0.1:${port}"]`,
  ]);
  await writeFile(config, ['global:', '  scrape_interval: 1s', 'scrape_configs:', ...jobs, ''].join('\n'));
  const port = await freePort();
  const child = spawn(
    'prometheus',
    [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'prom-data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return {
    port,
    async query(promql) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(promql)}`);
        if (!res.ok) return [];
        return ((await res.json()) as { data: { result: PromSample[] } }).data.result;
      } catch {
        return [];
      }
    },
    stderr: () => stderr,
    close: () => {
      child.kill('SIGTERM');
    },
  };
}
