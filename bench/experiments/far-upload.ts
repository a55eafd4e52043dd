// Issue 16, "the agent's own receive window": one 256 MiB upload across a 50 ms round trip
// (testkit/delay-relay.ts, 25 ms each way), direct (client → relay → upstream) and through
// ferry with the relay between agent and controller, where the agent fits its receive
// window to the round trip it measures (src/agent/round-trip-probe.ts); and a download
// through the same far agent. The before/after figures in bench/README.md were taken with
// a temporary switch that fixed the agent's window at 16 or 64 MiB.
// Usage: node dist/bench/experiments/far-upload.js [rounds] [capSeconds]
import { createServer } from 'node:http';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { download, upload } from '../lib/curl.js';
import { median } from '../lib/stats.js';
import { startDelayRelay } from '../../testkit/delay-relay.js';
import { startTunnelEnv } from '../../testkit/tunnel-env.js';

const rounds = Number(process.argv[2] ?? 3);
const cap = Number(process.argv[3] ?? 10);
const dir = await mkdtemp(join(tmpdir(), 'ferry-far-upload-'));
const file = join(dir, 'upload.bin');
await new Promise<void>((resolve, reject) => {
  const out = createWriteStream(file);
  for (let i = 0; i < 256; i++) out.write(randomBytes(1024 * 1024));
  out.end(resolve);
  out.on('error', reject);
});
const chunk = randomBytes(1024 * 1024);
// Uploads are drained and counted; GET /big sends 256 MiB.
const upstream = createServer((req, res) => {
  if (req.method === 'GET') {
    res.writeHead(200, { 'content-length': 256 * chunk.length });
    let left = 256;
    const pump = () => {
      while (left > 0) {
        left--;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      res.end();
    };
    return pump();
  }
  let n = 0;
  req.on('data', (b: Buffer) => (n += b.length));
  req.on('end', () => res.end(String(n)));
});
await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
const upstreamPort = (upstream.address() as AddressInfo).port;
const direct = await startDelayRelay(upstreamPort);

const results = new Map<string, number[]>();
const add = (k: string, v: number) => results.set(k, [...(results.get(k) ?? []), v]);
for (let round = 0; round < rounds; round++) {
  const d = await upload({ base: `http://127.0.0.1:${direct.port}`, headers: {} }, '/up', file, cap);
  add('direct upload', d.mbps);
  {
    const env = await startTunnelEnv();
    const relay = await startDelayRelay(env.ports.agents);
    try {
      const agent = await env.startAgent('far', [{ type: 'x-echo', name: 'sink', url: `http://127.0.0.1:${upstreamPort}` }], {
        controller: { address: `127.0.0.1:${relay.port}`, serverName: 'localhost' },
      });
      await env.controller.waitForMsg('agent connection window fitted to its round trip', 10_000).catch(() => undefined);
      const fit = agent.lines.find((l) => l.msg === 'receive window fitted to the round trip');
      const mib = fit ? Number(fit['windowMiB']) : 16;
      const token = await env.token('far', 'x-echo', 'sink', { ttlSeconds: 3600 });
      const ep = { base: env.frontDoorUrl, headers: { 'X-Ferry-Token': token } };
      const u = await upload(ep, '/up', file, cap);
      const g = await download(ep, '/big', cap);
      add(`ferry upload, agent window ${mib} MiB`, u.mbps);
      add(`ferry download, agent window ${mib} MiB`, g.mbps);
      process.stderr.write(`round ${round + 1}: direct up ${d.mbps.toFixed(0)}; agent window ${mib} MiB: up ${u.mbps.toFixed(0)} MB/s (${u.status}), down ${g.mbps.toFixed(0)} MB/s (${g.status})\n`);
    } finally {
      await relay.close();
      await env.close();
    }
  }
}
await direct.close();
upstream.close();
await rm(dir, { recursive: true, force: true });
process.stdout.write(`50 ms round trip, 256 MiB, ${cap} s cap, ${rounds} rounds; MB/s median (runs)\n`);
for (const [k, v] of results) process.stdout.write(`| ${k} | ${median(v).toFixed(0)} | ${v.map((x) => x.toFixed(0)).join(' / ')} |\n`);
