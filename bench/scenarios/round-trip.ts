// Scenario 3: one download across a 50 ms round trip. The delay relay (25 ms each way)
// sits where the tunnel crosses the network: between agent and controller for ferry,
// between ssh and sshd for ssh -R, and between client and nginx for direct. Measured: MB/s
// of a 256 MiB download within a time cap (a slow path moves fewer bytes, not longer).
import { download } from '../lib/curl.js';
import { median } from '../lib/stats.js';
import { startDelayRelay } from '../../testkit/delay-relay.js';
import { BIG } from '../peers/files.js';
import type { BenchPath, PathName } from '../peers/path.js';
import { startSshTunnel } from '../peers/ssh.js';
import type { World } from '../peers/setup.js';
import type { ResultRow, RunOptions } from '../report/result.js';
import { minTarget } from '../report/targets.js';
import { push } from './throughput.js';

export async function roundTrip(world: World, opts: RunOptions): Promise<ResultRow[]> {
  const cap = opts.quick ? 3 : 15;
  const upstream = world.filesUpstream.port;
  const direct = await startDelayRelay(upstream);
  world.onClose(() => direct.close());
  const sshRelay = await startDelayRelay(world.sshd.port);
  world.onClose(() => sshRelay.close());
  const ssh = await startSshTunnel(world.sshd, upstream, world.nodeUpstream.port, sshRelay.port);
  world.onClose(() => ssh.stop());
  const agentRelay = await startDelayRelay(world.ferry.ports.agents);
  world.onClose(() => agentRelay.close());
  await world.ferry.startAgent('far', { files: `http://127.0.0.1:${upstream}` }, `127.0.0.1:${agentRelay.port}`);
  // The controller fits the far connection's stream window to its round trip (rtt-window.ts).
  const fit = await world.ferry.controller.waitForMsg('agent connection window fitted to its round trip', 10_000).catch(() => undefined);
  opts.log(fit ? `  ferry: far agent's window ${String(fit['windowMiB'])} MiB for ${String(fit['rttMs'])} ms` : '  ferry: far agent kept the default window');
  const token = await world.ferry.token('far', 'files');
  const http = (port: number) => ({ base: `http://127.0.0.1:${port}`, headers: {} });
  const paths: { name: PathName; files: BenchPath['files'] }[] = [
    { name: 'direct', files: http(direct.port) },
    { name: 'ssh -R', files: http(ssh.filesPort) },
    { name: 'ferry', files: { base: world.ferry.frontDoorUrl, headers: { 'X-Ferry-Token': token } } },
  ];
  const runs = new Map<PathName, number[]>();
  for (let rep = 0; rep < opts.reps; rep++) {
    for (const p of paths) {
      const d = await download(p.files, BIG, cap);
      push(runs, p.name, d.mbps);
      opts.log(`  ${p.name} across 50 ms: ${d.mbps.toFixed(1)} MB/s (${(d.bytes / 1e6).toFixed(0)} MB in ${d.seconds.toFixed(1)} s)`);
    }
  }
  const values = Object.fromEntries([...runs].map(([k, v]) => [k, median(v)]));
  const f = values['ferry'];
  const d = values['direct'];
  return [
    {
      scenario: '3 50 ms round trip',
      metric: `256 MiB download, 1 stream (${cap} s cap)`,
      unit: 'MB/s',
      values,
      higherIsBetter: true,
      target: minTarget(f !== undefined && d ? f / d : undefined, 0.8, '≥ 80% of direct'),
    },
  ];
}
