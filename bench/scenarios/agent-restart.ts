// Scenario 7: 16 clients loop small GETs; the tunnel's far end is SIGKILLed and started
// again at once (ferry: the agent process; ssh -R: the ssh client). Measured: seconds from
// the kill until a request started after it succeeds again, and the failed requests.
import { request, type Agent } from 'undici';
import { benchClient } from '../../testkit/client.js';
import { median, sleep } from '../lib/stats.js';
import { SMALL } from '../peers/files.js';
import { startSshTunnel } from '../peers/ssh.js';
import type { BenchPath } from '../peers/path.js';
import type { World } from '../peers/setup.js';
import type { ResultRow, RunOptions } from '../report/result.js';
import { maxTarget } from '../report/targets.js';

const CLIENTS = 16;

interface Outage {
  seconds: number;
  failed: number;
}

/** Runs the clients; `disrupt` kills and restarts; returns when a post-kill request succeeded. */
async function measure(p: BenchPath, disrupt: () => Promise<void>, timeoutMs: number): Promise<Outage> {
  const client: Agent = benchClient();
  let stop = false;
  let killedAt = Number.POSITIVE_INFINITY;
  let recoveredAt = Number.NaN;
  let failed = 0;
  const loop = async () => {
    while (!stop) {
      const startedAt = performance.now();
      try {
        const res = await request(p.files.base + SMALL, { dispatcher: client, headers: p.files.headers, signal: AbortSignal.timeout(5000) });
        await res.body.dump();
        if (res.statusCode !== 200) throw new Error(String(res.statusCode));
        if (startedAt > killedAt && Number.isNaN(recoveredAt)) recoveredAt = performance.now();
      } catch {
        if (startedAt >= killedAt || performance.now() >= killedAt) failed++;
        await sleep(5);
      }
    }
  };
  const loops = Array.from({ length: CLIENTS }, loop);
  await sleep(500); // under load first
  killedAt = performance.now();
  await disrupt();
  const end = killedAt + timeoutMs;
  while (Number.isNaN(recoveredAt) && performance.now() < end) await sleep(5);
  stop = true;
  await Promise.all(loops);
  await client.close().catch(() => undefined);
  return { seconds: (recoveredAt - killedAt) / 1000, failed };
}

export async function agentRestart(world: World, opts: RunOptions): Promise<ResultRow[]> {
  const reps = opts.quick ? 1 : 3;
  const ferryPath = world.paths.find((p) => p.name === 'ferry')!;
  const sshPath = world.paths.find((p) => p.name === 'ssh -R')!;
  const ferry: Outage[] = [];
  const connectSeconds: number[] = [];
  const ssh: Outage[] = [];
  let spawnedAt = 0;
  for (let rep = 0; rep < reps; rep++) {
    const f = await measure(
      ferryPath,
      async () => {
        await world.agent.process.stop('SIGKILL');
        spawnedAt = Date.now();
        world.ferry.restartAgent(world.agent);
      },
      15_000,
    );
    const connected = await world.agent.process.waitForMsg('connected to controller');
    connectSeconds.push((Date.parse(String(connected['time'])) - spawnedAt) / 1000);
    opts.log(`  ferry: agent process start → "connected to controller" ${connectSeconds.at(-1)!.toFixed(2)} s`);
    ferry.push(f);
    opts.log(`  ferry: agent SIGKILL + restart → requests succeed again after ${f.seconds.toFixed(2)} s (${f.failed} failed requests)`);
    const s = await measure(
      sshPath,
      async () => {
        world.ssh.client.kill('SIGKILL');
        await world.ssh.stop(); // waits for the exit
        // Like autossh: start again until sshd has released the remote ports.
        for (let attempt = 0; ; attempt++) {
          try {
            const again = await startSshTunnel(world.sshd, world.filesUpstream.port, world.nodeUpstream.port, world.sshd.port, world.ssh);
            world.ssh.client = again.client;
            world.ssh.stop = () => again.stop();
            return;
          } catch (err) {
            if (attempt > 100) throw err;
            await sleep(20);
          }
        }
      },
      15_000,
    );
    ssh.push(s);
    opts.log(`  ssh -R: ssh client killed + restarted → requests succeed again after ${s.seconds.toFixed(2)} s (${s.failed} failed requests)`);
  }
  const secs = median(ferry.map((o) => o.seconds));
  const scenario = '7 tunnel client restart';
  return [
    {
      scenario,
      metric: 'kill + restart → requests succeed again',
      unit: 's',
      values: { 'ssh -R': median(ssh.map((o) => o.seconds)), ferry: secs },
      higherIsBetter: false,
      target: maxTarget(secs, 2, '≤ 2 s'),
      note: 'ferry: agent SIGKILL; ssh: client killed',
    },
    { scenario, metric: 'of which: agent process start → connected', unit: 's', values: { ferry: median(connectSeconds) }, higherIsBetter: false },
    { scenario, metric: `failed requests meanwhile (${CLIENTS} clients)`, unit: 'requests', values: { 'ssh -R': median(ssh.map((o) => o.failed)), ferry: median(ferry.map((o) => o.failed)) }, higherIsBetter: false },
  ];
}
