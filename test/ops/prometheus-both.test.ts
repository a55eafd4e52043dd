// A real Prometheus scrapes both running programs (controller and agent processes) while
// requests flow through the tunnel, and both scrapes pass `promtool check metrics`.
// Skipped when the Debian package "prometheus" is not installed.
import t from 'tap';
import { request } from 'undici';
import { frontDoorClient } from '../../testkit/client.js';
import { startTunnelEnv } from '../../testkit/tunnel-env.js';
import { startUpstream } from '../fixtures/upstream.js';
import { hasProgram, promtoolCheckMetrics, scrape, startPrometheus, type PromSample } from './ops-helpers.js';

const installed = hasProgram('prometheus') && hasProgram('promtool');

void t.test('Prometheus scrapes the controller and the agent with traffic flowing', { skip: installed ? false : 'prometheus/promtool not installed (Debian package "prometheus")' }, async (t) => {
  const upstream = await startUpstream();
  const env = await startTunnelEnv();
  t.teardown(async () => {
    await env.close();
    await upstream.close();
  });
  const agent = await env.startAgent('metered', [{ type: 'x-echo', name: 'demo', url: upstream.url }], { metrics: { listen: '127.0.0.1:0' } });
  const agentMetrics = Number((await agent.waitForMsg('agent started')).metrics);
  const svc = await env.serviceCert('metered', 'x-echo', 'demo');
  const client = frontDoorClient(env.ca.certPem, svc);
  t.teardown(() => client.close());

  const statuses: number[] = [];
  const send = async (n: number) => {
    for (let i = 0; i < n; i++) {
      const res = await request(`${env.frontDoorUrl}/download?bytes=1000`, { dispatcher: client });
      statuses.push(res.statusCode);
      await res.body.dump();
    }
  };
  await send(10);

  const prom = await startPrometheus(t.testdir({}), { 'ferry-controller': env.ports.metrics, 'ferry-agent': agentMetrics });
  t.teardown(() => prom.close());

  const started = Date.now();
  let controllerRequests: PromSample[] = [];
  let agentRequests: PromSample[] = [];
  while (Date.now() - started < 30_000) {
    await send(2);
    controllerRequests = await prom.query('sum(ferry_requests_total{job="ferry-controller"})');
    agentRequests = await prom.query('sum(ferry_requests_total{job="ferry-agent"})');
    if (Number(controllerRequests[0]?.value[1] ?? 0) > 0 && Number(agentRequests[0]?.value[1] ?? 0) > 0) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  t.same(new Set(statuses), new Set([200]), `${statuses.length} requests through the tunnel, all 200`);
  t.comment(`both jobs had requests in Prometheus after ${Date.now() - started} ms`);
  t.ok(Number(controllerRequests[0]?.value[1]) > 0, `controller ferry_requests_total > 0 (prometheus stderr: ${prom.stderr().slice(-300)})`);
  t.ok(Number(agentRequests[0]?.value[1]) > 0, 'agent ferry_requests_total > 0');

  const up = await prom.query('up');
  t.same(up.map((s) => [s.metric['job'], s.value[1]]).sort(), [['ferry-agent', '1'], ['ferry-controller', '1']], 'both targets up');
  const byClass = await prom.query('ferry_requests_total{job="ferry-controller"}');
  t.same(byClass.map((s) => [s.metric['service_type'], s.metric['code_class']]), [['x-echo', '2xx']], 'low-cardinality labels');
  const connected = await prom.query('ferry_agents_connected{job="ferry-controller"}');
  t.same(connected.map((s) => [s.metric['agent'], s.value[1]]), [['metered', '1']], 'the controller counts the connected agent by name');
  const sessions = await prom.query('ferry_agent_sessions{job="ferry-agent"}');
  t.equal(sessions[0]?.value[1], '1', 'the agent has one control session');
  const certs = await prom.query('ferry_certificates_issued_total{job="ferry-controller",kind="server"}');
  t.ok(Number(certs[0]?.value[1]) >= 1, 'the controller counted its own server certificate');
  const bytesOut = await prom.query('ferry_bytes_total{job="ferry-agent",direction="out"}');
  t.ok(Number(bytesOut[0]?.value[1]) >= 10_000, 'response bytes counted on the agent');

  for (const [program, port] of [['controller', env.ports.metrics], ['agent', agentMetrics]] as const) {
    const text = await scrape(port);
    t.match(text, new RegExp(`ferry_build_info\\{program="${program}"`), `${program} scrape names its program`);
    t.match(text, /ferry_request_duration_seconds_bucket/, `${program} has the duration histogram`);
    const check = promtoolCheckMetrics(text);
    t.equal(check.status, 0, `promtool check metrics on the ${program} scrape: ${check.output}`);
    t.equal(check.output.trim(), '', `promtool has no lint complaints about the ${program}`);
  }
});
