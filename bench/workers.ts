// `npm run bench:workers`: how small requests scale with processes on this machine. The same
// load (1 KiB GETs, h2load, HTTP/1.1 keep-alive) through 1 or 2 controller processes
// (`--workers`, file store) and 1 or 2 agent processes of one name (the controller balances
// them), side by side: req/s, p99, CPU per request of the controller processes (primary +
// workers) and of the agents, and how busy the whole machine was (from /proc/stat). On a
// machine with few cores the load tool and the upstream share them with ferry, which is what
// limits the gain (the printed note says which).
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { cpuMs, withDescendants } from './lib/cpu.js';
import { h2load } from './lib/h2load.js';
import { startSmallUpstream } from './lib/small-upstream.js';
import { waitUntil } from '../testkit/metrics.js';
import type { FerryProcess } from '../testkit/processes.js';
import { startTunnelEnv } from '../testkit/tunnel-env.js';

const args = process.argv.slice(2);
const known = (a: string) => a === '--quick' || a.startsWith('--connections=') || a.startsWith('--rounds=');
if (args.includes('--help') || args.includes('-h') || !args.every(known)) {
  process.stdout.write(
    [
      'Usage: npm run bench:workers [-- [--quick] [--connections=N] [--rounds=N]]',
      '',
      'Small requests (1 KiB GET) through 1 or 2 controller workers and 1 or 2 agent',
      'processes of one name, side by side: req/s, p99, CPU per request of the controller',
      'and the agents, and how busy the machine was. Each round runs every layout once, in',
      'turn; the medians are printed.',
      '',
      '  --quick           2 s per run instead of 5, one round',
      '  --connections=N   h2load connections (default 256)',
      '  --rounds=N        rounds of all layouts (default 3; 1 with --quick)',
      '  -h, --help        this text',
      '',
    ].join('\n'),
  );
  process.exit(args.includes('--help') || args.includes('-h') ? 0 : 2);
}
const quick = args.includes('--quick');
const option = (name: string, fallback: number) => {
  const raw = args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  const n = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    process.stderr.write(`--${name} must be a whole number above 0, not ${raw}\n`);
    process.exit(2);
  }
  return n;
};
const seconds = quick ? 2 : 5;
const connections = option('connections', 256);
const rounds = option('rounds', quick ? 1 : 3);

const { url: upstreamUrl, server: upstream } = await startSmallUpstream();

/** Busy and total jiffies of the whole machine (first line of /proc/stat). */
function machineTicks(): { busy: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = (f[3] ?? 0) + (f[4] ?? 0); // idle + iowait
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

interface Layout {
  workers: number;
  agents: number;
}
interface Run extends Layout {
  rps: number;
  p99ms: number;
  controllerCpuUs: number;
  agentCpuUs: number;
  machineBusy: number;
  failed: number;
}
const layouts: Layout[] = [
  { workers: 1, agents: 1 },
  { workers: 2, agents: 1 },
  { workers: 1, agents: 2 },
  { workers: 2, agents: 2 },
];

async function runLayout({ workers, agents }: Layout): Promise<Run> {
  const env = await startTunnelEnv({ workers, replica: { heartbeat: '1s', timeout: '5s' } }, { grace: '1s', stopSignal: 'SIGTERM' });
  try {
    const started: FerryProcess[] = [];
    for (let i = 0; i < agents; i++) started.push(await env.startAgent('bench', [{ type: 'x-echo', name: 'demo', url: upstreamUrl }]));
    // Each agent process holds a session to each worker before the load starts.
    const held = (a: FerryProcess) => new Set(a.lines.filter((l) => l.msg === 'connected to controller').map((l) => String(l.replica))).size;
    if (!(await waitUntil(() => started.every((a) => held(a) >= workers), 15_000))) {
      throw new Error(`the agents reached ${started.map(held).join('/')} of ${workers} workers`);
    }
    const token = await env.token('bench', 'x-echo', 'demo', { ttlSeconds: 3600 });
    const controllerPids = withDescendants([env.controller.child.pid!]);
    const agentPids = started.map((a) => a.child.pid!);
    let before = { controller: 0, agent: 0, machine: machineTicks() };
    const r = await h2load({ base: env.frontDoorUrl, headers: { 'x-ferry-token': token } }, '/small', connections, seconds, () => {
      before = { controller: cpuMs(controllerPids), agent: cpuMs(agentPids), machine: machineTicks() };
    });
    const machine = machineTicks();
    const perRequest = (ms: number) => (r.ok > 0 ? (ms * 1000) / r.ok : Number.NaN);
    return {
      workers,
      agents,
      rps: r.rps,
      p99ms: r.p99ms,
      controllerCpuUs: perRequest(cpuMs(controllerPids) - before.controller),
      agentCpuUs: perRequest(cpuMs(agentPids) - before.agent),
      machineBusy: (machine.busy - before.machine.busy) / Math.max(1, machine.total - before.machine.total),
      failed: r.failed,
    };
  } finally {
    await env.close();
  }
}

const runs: Run[] = [];
for (let round = 1; round <= rounds; round++) {
  for (const layout of layouts) {
    const run = await runLayout(layout);
    runs.push(run);
    process.stderr.write(`round ${round}: ${layout.workers} worker(s), ${layout.agents} agent(s): ${run.rps.toFixed(0)} req/s\n`);
  }
}
upstream.close();

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const of = (l: Layout) => runs.filter((r) => r.workers === l.workers && r.agents === l.agents);
const base = median(of(layouts[0]!).map((r) => r.rps));
process.stdout.write(`1 KiB GET, ${connections} connections, ${seconds} s a run, ${rounds} round(s), ${cpus().length} cores; medians\n\n`);
process.stdout.write('| workers | agents | req/s (runs) | × 1+1 | p99 ms | controller CPU µs/req | agent CPU µs/req | machine busy | failed |\n');
process.stdout.write('| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n');
for (const l of layouts) {
  const rs = of(l);
  const rps = median(rs.map((r) => r.rps));
  process.stdout.write(
    `| ${l.workers} | ${l.agents} | ${rps.toFixed(0)} (${rs.map((r) => r.rps.toFixed(0)).join(' / ')}) | ${(rps / base).toFixed(2)}× | ` +
      `${median(rs.map((r) => r.p99ms)).toFixed(1)} | ${median(rs.map((r) => r.controllerCpuUs)).toFixed(0)} | ` +
      `${median(rs.map((r) => r.agentCpuUs)).toFixed(0)} | ${(100 * median(rs.map((r) => r.machineBusy))).toFixed(0)}% | ${rs.reduce((a, r) => a + r.failed, 0)} |\n`,
  );
}
const busiest = Math.max(...runs.map((r) => r.machineBusy));
process.stdout.write(
  `\nWhat limits it: the whole machine was ${(100 * busiest).toFixed(0)}% busy at most (h2load, the upstream and ferry on ${cpus().length} cores). ` +
    (busiest > 0.9
      ? 'With every core busy, an added process only shares them: scaling needs more cores than the load tool and the upstream take.\n'
      : 'Cores were left idle: the limit is in the processes themselves (see CPU per request).\n'),
);
