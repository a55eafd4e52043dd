// `npm run bench:workers`: small requests through one controller process and through
// `--workers 2` (file store, one agent holding a session to each worker), side by side:
// req/s (h2load, HTTP/1.1, keep-alive) and CPU per request of the controller processes
// (primary + workers) and of the agent. On a 2-core machine the agent, h2load and the
// upstream share the cores with the workers, which limits the gain (see the printed note).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus } from 'node:os';
import { cpuMs, withDescendants } from './lib/cpu.js';
import { h2load } from './lib/h2load.js';
import { waitUntil } from '../testkit/metrics.js';
import { startTunnelEnv } from '../testkit/tunnel-env.js';

const args = process.argv.slice(2);
const known = (a: string) => a === '--quick' || a.startsWith('--connections=');
if (args.includes('--help') || args.includes('-h') || !args.every(known)) {
  process.stdout.write(
    [
      'Usage: npm run bench:workers [-- [--quick] [--connections=N]]',
      '',
      'Small requests (1 KiB GET) through one controller process and through --workers 2,',
      'side by side: req/s, p99 and CPU per request of the controller and the agent.',
      '',
      '  --quick           2 s per run instead of 5',
      '  --connections=N   h2load connections (default 64)',
      '  -h, --help        this text',
      '',
    ].join('\n'),
  );
  process.exit(args.includes('--help') || args.includes('-h') ? 0 : 2);
}
const seconds = args.includes('--quick') ? 2 : 5;
const connections = Number(args.find((a) => a.startsWith('--connections='))?.split('=')[1] ?? 64);

const body = Buffer.alloc(1024, 'x');
const upstream = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
  res.end(body);
});
await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
const upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;

interface Row {
  workers: number;
  rps: number;
  p99ms: number;
  controllerCpuUs: number;
  agentCpuUs: number;
  failed: number;
}
const rows: Row[] = [];
for (const workers of [1, 2]) {
  const env = await startTunnelEnv({ workers, replica: { heartbeat: '1s', timeout: '5s' } }, { grace: '1s', stopSignal: 'SIGTERM' });
  try {
    const agent = await env.startAgent('bench', [{ type: 'x-echo', name: 'demo', url: upstreamUrl }]);
    const held = () => new Set(agent.lines.filter((l) => l.msg === 'connected to controller').map((l) => String(l.replica))).size;
    if (!(await waitUntil(() => held() >= workers, 15_000))) throw new Error(`the agent reached ${held()} of ${workers} workers`);
    const token = await env.token('bench', 'x-echo', 'demo', { ttlSeconds: 3600 });
    const controllerPids = withDescendants([env.controller.child.pid!]);
    const agentPids = [agent.child.pid!];
    let before = { controller: 0, agent: 0 };
    const r = await h2load({ base: env.frontDoorUrl, headers: { 'x-ferry-token': token } }, '/small', connections, seconds, () => {
      before = { controller: cpuMs(controllerPids), agent: cpuMs(agentPids) };
    });
    const perRequest = (ms: number) => (r.ok > 0 ? (ms * 1000) / r.ok : Number.NaN);
    rows.push({
      workers,
      rps: r.rps,
      p99ms: r.p99ms,
      controllerCpuUs: perRequest(cpuMs(controllerPids) - before.controller),
      agentCpuUs: perRequest(cpuMs(agentPids) - before.agent),
      failed: r.failed,
    });
  } finally {
    await env.close();
  }
}
upstream.close();

const [one, two] = rows;
process.stdout.write(`controller workers, 1 KiB GET, ${connections} connections, ${seconds} s, ${cpus().length} cores\n\n`);
process.stdout.write('| workers | req/s | p99 ms | controller CPU µs/req | agent CPU µs/req | failed |\n| --- | --- | --- | --- | --- | --- |\n');
for (const r of rows) {
  process.stdout.write(`| ${r.workers} | ${r.rps.toFixed(0)} | ${r.p99ms.toFixed(1)} | ${r.controllerCpuUs.toFixed(0)} | ${r.agentCpuUs.toFixed(0)} | ${r.failed} |\n`);
}
if (one && two) {
  process.stdout.write(
    `\n2 workers / 1 worker: ${(two.rps / one.rps).toFixed(2)}× the rate, ${(two.controllerCpuUs / one.controllerCpuUs).toFixed(2)}× the controller CPU per request.\n` +
      `What limits it here: one agent process (one core) carries every request, and h2load and the upstream run on the same ${cpus().length} cores.\n`,
  );
}
