// A real Prometheus scrapes the ops server and can query ferry's series (skipped when the
// Debian package "prometheus" is not installed).
import t from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startOpsServer } from '../../src/observability/health-server.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { freePort } from '../../testkit/net.js';


interface QueryResult {
  status: string;
  data: { result: { metric: Record<string, string>; value: [number, string] }[] };
}

async function query(promPort: number, promql: string): Promise<QueryResult['data']['result']> {
  const res = await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent(promql)}`);
  if (!res.ok) return [];
  return ((await res.json()) as QueryResult).data.result;
}

const installed = !spawnSync('prometheus', ['--version']).error;

void t.test('Prometheus scrapes /metrics', { skip: installed ? false : 'prometheus not installed (Debian package "prometheus")' }, async (t) => {
  const metrics = createMetrics('controller', { version: '0.1.0-test' });
  metrics.requests.inc({ service_type: 'kubernetes', code_class: '2xx' }, 7);
  const ops = await startOpsServer({ listen: { host: '127.0.0.1', port: 0 }, registry: metrics.registry, ready: () => ({ ready: true, reasons: [] }) });
  t.teardown(() => ops.close());

  const dir = t.testdir({});
  const config = join(dir, 'prometheus.yml');
  await writeFile(
    config,
    ['global:', '  scrape_interval: 1s', 'scrape_configs:', '  - job_name: ferry', '    static_configs:', `      - targets: ["127.0.0.1:${ops.port}"]`, ''].join('\n'),
  );
  const check = spawnSync('promtool', ['check', 'config', config], { encoding: 'utf8' });
  t.equal(check.status, 0, `promtool check config: ${check.stdout}${check.stderr}`);

  const promPort = await freePort();
  const prometheus = spawn(
    'prometheus',
    [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${promPort}`, '--log.level=warn'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  prometheus.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  t.teardown(() => {
    prometheus.kill('SIGTERM');
  });

  const started = Date.now();
  let up: Awaited<ReturnType<typeof query>> = [];
  let requests: typeof up = [];
  while (Date.now() - started < 20_000) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    up = await query(promPort, 'up{job="ferry"}').catch(() => []);
    if (up[0]?.value[1] === '1') {
      requests = await query(promPort, 'ferry_requests_total');
      if (requests.length > 0) break;
    }
  }
  t.equal(up[0]?.value[1], '1', `target is up (prometheus stderr: ${stderr.slice(-500)})`);
  t.equal(requests[0]?.metric['service_type'], 'kubernetes');
  t.equal(requests[0]?.metric['code_class'], '2xx');
  t.equal(requests[0]?.value[1], '7');
  t.comment(`first successful query after ${Date.now() - started} ms`);
});
