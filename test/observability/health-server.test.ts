// The ops port: real HTTP on 127.0.0.1, real prom-client registry, promtool when installed.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { FerryError } from '../../src/errors.js';
import { startOpsServer, type Readiness } from '../../src/observability/health-server.js';
import { codeClassOf, createMetrics, type FerryMetrics } from '../../src/observability/metrics.js';

const FERRY_METRICS = [
  'ferry_build_info',
  'ferry_agents_connected',
  'ferry_agent_sessions',
  'ferry_open_streams',
  'ferry_requests_total',
  'ferry_bytes_total',
  'ferry_request_duration_seconds',
  'ferry_reconnects_total',
  'ferry_drains_total',
  'ferry_certificates_issued_total',
  'ferry_tokens_issued_total',
  'ferry_auth_failures_total',
];

function exercise(metrics: FerryMetrics): void {
  metrics.agentsConnected.inc({ agent: 'cluster-a' });
  metrics.agentsConnected.inc({ agent: 'cluster-a' });
  metrics.agentsConnected.dec({ agent: 'cluster-a' });
  metrics.agentSessions.inc();
  metrics.openStreams.inc({ side: 'controller' });
  metrics.openStreams.labels({ side: 'agent' }).inc();
  metrics.requests.inc({ service_type: 'kubernetes', code_class: codeClassOf(200) });
  metrics.requests.inc({ service_type: 'jenkins', code_class: codeClassOf(undefined) });
  metrics.bytes.inc({ direction: 'in' }, 512);
  metrics.bytes.labels({ direction: 'out' }).inc(4096);
  metrics.requestDuration.observe({ service_type: 'kubernetes' }, 0.042);
  metrics.requestDuration.startTimer({ service_type: 'argocd' })();
  metrics.reconnects.inc();
  metrics.drains.inc();
  metrics.certificatesIssued.inc({ kind: 'agent' });
  metrics.tokensIssued.inc({ purpose: 'service' });
  metrics.authFailures.inc({ reason: 'bad_token' });
}

async function get(port: number, path: string, method = 'GET'): Promise<{ status: number; type: string; text: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { method });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}

void t.test('codeClassOf', (t) => {
  t.same([200, 204, 301, 404, 431, 500, 503, undefined, 101, 0].map(codeClassOf), ['2xx', '2xx', '3xx', '4xx', '4xx', '5xx', '5xx', 'error', 'error', 'error']);
  t.end();
});

void t.test('/metrics serves every ferry metric and passes promtool', async (t) => {
  const metrics = createMetrics('controller', { version: '0.1.0-test' });
  exercise(metrics);
  const server = await startOpsServer({ listen: { host: '127.0.0.1', port: 0 }, registry: metrics.registry, ready: () => ({ ready: true, reasons: [] }) });
  t.teardown(() => server.close());
  t.ok(server.port > 0);
  const scrape = await get(server.port, '/metrics');
  t.equal(scrape.status, 200);
  t.match(scrape.type, /^text\/plain; version=0\.0\.4/);
  for (const name of FERRY_METRICS) t.match(scrape.text, new RegExp(`^# TYPE ${name} `, 'm'), name);
  t.match(scrape.text, /^process_cpu_seconds_total /m, 'default process metrics');
  t.match(scrape.text, /^nodejs_eventloop_lag_seconds /m, 'default Node.js metrics');
  t.match(scrape.text, 'ferry_build_info{program="controller",version="0.1.0-test"} 1');
  t.match(scrape.text, 'ferry_agents_connected{agent="cluster-a"} 1');
  t.match(scrape.text, 'ferry_open_streams{side="controller"} 1');
  t.match(scrape.text, 'ferry_requests_total{service_type="jenkins",code_class="error"} 1');
  t.match(scrape.text, 'ferry_bytes_total{direction="out"} 4096');
  t.match(scrape.text, 'ferry_request_duration_seconds_bucket{le="0.05",service_type="kubernetes"} 1');
  t.match(scrape.text, 'ferry_request_duration_seconds_bucket{le="1800",service_type="kubernetes"} 1');

  const promtool = spawnSync('promtool', ['check', 'metrics'], { input: scrape.text, encoding: 'utf8' });
  if (promtool.error) {
    t.pass('promtool check metrics', { skip: 'promtool not installed (Debian package "prometheus"); `promtool check metrics` not run' });
  } else {
    t.equal(promtool.status, 0, `promtool check metrics: ${promtool.stdout}${promtool.stderr}`);
    t.equal(`${promtool.stdout}${promtool.stderr}`.trim(), '', 'no lint findings');
  }
});

void t.test('the agent registry has the same metrics', async (t) => {
  const metrics = createMetrics('agent', { defaultMetrics: false });
  const text = await metrics.registry.metrics();
  for (const name of FERRY_METRICS) t.match(text, new RegExp(`^# TYPE ${name} `, 'm'), name);
  t.match(text, 'ferry_build_info{program="agent",version="unknown"} 1');
  t.notMatch(text, 'process_cpu_seconds_total');
});

void t.test('/healthz, /readyz flipping with the callback, 404, 405', async (t) => {
  let state: Readiness = { ready: false, reasons: ['not connected to a controller'] };
  let broken = false;
  const server = await startOpsServer({
    listen: { host: '127.0.0.1', port: 0 },
    registry: createMetrics('agent', { defaultMetrics: false }).registry,
    ready: () => {
      if (broken) throw new Error('state unavailable');
      return state;
    },
  });
  t.teardown(() => server.close());

  const health = await get(server.port, '/healthz');
  t.equal(health.status, 200);
  t.match(health.type, 'application/json');
  t.same(JSON.parse(health.text), { status: 'ok' });

  let ready = await get(server.port, '/readyz');
  t.equal(ready.status, 503);
  t.same(JSON.parse(ready.text), { status: 'not ready', reasons: ['not connected to a controller'] });

  state = { ready: true, reasons: [] };
  ready = await get(server.port, '/readyz?verbose');
  t.equal(ready.status, 200);
  t.same(JSON.parse(ready.text), { status: 'ready', reasons: [] });

  broken = true;
  ready = await get(server.port, '/readyz');
  t.equal(ready.status, 503);
  t.same(JSON.parse(ready.text), { status: 'not ready', reasons: ['readiness check failed: state unavailable'] });

  const missing = await get(server.port, '/nope');
  t.equal(missing.status, 404);
  t.equal((JSON.parse(missing.text) as { error: { code: string } }).error.code, 'FERRY_ERR_NOT_FOUND');

  const post = await get(server.port, '/metrics', 'POST');
  t.equal(post.status, 405);

  const head = await get(server.port, '/healthz', 'HEAD');
  t.equal(head.status, 200);
  t.equal(head.text, '');
});

void t.test('a taken port is a FERRY_ERR_IO naming the address; close frees the port', async (t) => {
  const registry = createMetrics('controller', { defaultMetrics: false }).registry;
  const first = await startOpsServer({ listen: { host: '127.0.0.1', port: 0 }, registry, ready: () => ({ ready: true, reasons: [] }) });
  const err = await startOpsServer({ listen: { host: '127.0.0.1', port: first.port }, registry, ready: () => ({ ready: true, reasons: [] }) }).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.ok(err instanceof FerryError);
  t.equal((err as FerryError).code, 'FERRY_ERR_IO');
  t.equal((err as FerryError).message, `cannot listen for metrics/health on 127.0.0.1:${first.port}: EADDRINUSE`);
  // A keep-alive connection must not hold close() open.
  await get(first.port, '/healthz');
  await Promise.all([first.close(), first.close()]);
  const again = await startOpsServer({ listen: { host: '127.0.0.1', port: first.port }, registry, ready: () => ({ ready: true, reasons: [] }) });
  t.equal(again.port, first.port);
  await again.close();
});
