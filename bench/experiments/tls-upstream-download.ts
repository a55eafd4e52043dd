// Issue 16, "less work per byte" with a TLS upstream (the real Kubernetes API speaks TLS):
// a 256 MiB download through ferry from a node HTTPS upstream (64 KiB writes), which Node
// hands the agent as 16 KiB TLS records. CPU seconds per GB of the controller and the agent
// and MB/s, a fresh agent each round. The before/after in bench/README.md (a Data frame per
// record vs one per event-loop turn, src/relay/serve-request.ts) was taken with a temporary
// switch for the old way, arms alternating.
// Usage: node dist/bench/experiments/tls-upstream-download.js [rounds]
import { writeFile } from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { cpuMs } from '../lib/cpu.js';
import { download } from '../lib/curl.js';
import { median } from '../lib/stats.js';
import { startTunnelEnv } from '../../testkit/tunnel-env.js';
import { testCert } from './test-cert.js';

const rounds = Number(process.argv[2] ?? 4);
const { key, cert } = testCert();
const chunk = Buffer.alloc(64 * 1024, 5);
const BYTES = 256 * 1024 * 1024;
const upstream = https.createServer({ key, cert }, (_req, res) => {
  res.writeHead(200, { 'content-length': BYTES });
  let left = BYTES / chunk.length;
  const pump = () => {
    while (left > 0) {
      left--;
      if (!res.write(chunk)) return void res.once('drain', pump);
    }
    res.end();
  };
  pump();
});
await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
const env = await startTunnelEnv();
const caFile = join(env.dir, 'upstream-ca.crt');
await writeFile(caFile, cert);
const config = await env.agentConfig('dl', [{ type: 'x-echo', name: 'big', url: `https://127.0.0.1:${(upstream.address() as AddressInfo).port}`, tls: { caFile, serverName: 'localhost' } }]);
const token = await env.token('dl', 'x-echo', 'big', { ttlSeconds: 3600 });
const seen = new Map<string, { cpu: number[]; mbps: number[] }>();
try {
  for (let round = 0; round < rounds; round++) {
    {
      const arm = 'this build';
      const agent = env.runAgent(config);
      await agent.waitForMsg('connected to controller');
      const ep = { base: env.frontDoorUrl, headers: { 'X-Ferry-Token': token } };
      await download(ep, '/warm', 20); // warm both processes' code paths
      const pids = [env.controller.child.pid!, agent.child.pid!];
      const before = cpuMs(pids);
      const d = await download(ep, '/big', 60);
      const cpu = (cpuMs(pids) - before) / 1000 / (d.bytes / 1e9);
      const s = seen.get(arm) ?? { cpu: [], mbps: [] };
      s.cpu.push(cpu);
      s.mbps.push(d.mbps);
      seen.set(arm, s);
      process.stderr.write(`round ${round + 1}: ${arm}: ${d.mbps.toFixed(0)} MB/s, ${cpu.toFixed(2)} CPU s/GB (controller + agent), status ${d.status}\n`);
      await agent.stop('SIGTERM');
    }
  }
} finally {
  await env.close();
  upstream.close();
}
process.stdout.write('| agent sends | CPU s/GB median (runs) | MB/s median |\n| --- | --- | --- |\n');
for (const [arm, s] of seen) process.stdout.write(`| ${arm} | ${median(s.cpu).toFixed(2)} (${s.cpu.map((x) => x.toFixed(2)).join(' / ')}) | ${median(s.mbps).toFixed(0)} |\n`);
