// `npm run bench` (add `-- --quick` for a smoke run under 2 minutes): starts everything on
// 127.0.0.1, runs the scenarios with the paths interleaved, prints the table and writes it
// into bench/README.md. `--only=1,2,8` picks scenarios.
import { readFileSync } from 'node:fs';
import { startWorld, type World } from './peers/setup.js';
import type { ResultRow, RunOptions } from './report/result.js';
import { writeReadme } from './report/readme.js';
import { markdownTable } from './report/table.js';
import { throughput } from './scenarios/throughput.js';
import { smallRequests } from './scenarios/small-requests.js';
import { issuance } from './scenarios/issuance.js';
import { cancelStorm } from './scenarios/cancel-storm.js';
import { agentRestart } from './scenarios/agent-restart.js';
import { slowReader } from './scenarios/slow-reader.js';
import { roundTrip } from './scenarios/round-trip.js';
import { idleStreams } from './scenarios/idle-streams.js';

type Scenario = (world: World, opts: RunOptions) => Promise<ResultRow[]>;

// In the order of the issue's priorities; each id is the issue's scenario number.
const SCENARIOS: [string, string, Scenario][] = [
  ['1', 'throughput', throughput],
  ['2', 'small requests', smallRequests],
  ['8', 'certificates and tokens', issuance],
  ['6', 'cancel storm', cancelStorm],
  ['7', 'agent restart', agentRestart],
  ['4', 'slow reader', slowReader],
  ['3', '50 ms round trip', roundTrip],
  ['5', 'idle streams', idleStreams],
];
const ORDER = ['1', '2', '3', '4', '5', '6', '7', '8'];

const args = process.argv.slice(2);
const USAGE = `Usage: npm run bench [-- [--quick] [--only=ID,...] [--no-write]]

Starts nginx, sshd + ssh -R and ferry on 127.0.0.1, runs the scenarios with the paths
interleaved, prints a table and writes it into bench/README.md.

  --quick       one repetition and shorter runs (a smoke run, under 2 minutes)
  --only=IDS    only these scenarios (implies --no-write): ${SCENARIOS.map(([id, name]) => `${id} ${name}`).join(', ')}
  --no-write    print the table, leave bench/README.md alone
  -h, --help    this text
`;
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const unknown = args.filter((a) => !['--quick', '--no-write'].includes(a) && !a.startsWith('--only='));
if (unknown.length > 0) {
  process.stderr.write(`bench: unknown option ${unknown.join(' ')}\n\n${USAGE}`);
  process.exit(2);
}
const quick = args.includes('--quick');
const only = args.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');
const badIds = (only ?? []).filter((id) => !SCENARIOS.some(([known]) => known === id));
if (badIds.length > 0) {
  process.stderr.write(`bench: no scenario ${badIds.join(', ')} (there are ${SCENARIOS.map(([id]) => id).join(', ')})\n`);
  process.exit(2);
}
const noWrite = args.includes('--no-write') || only !== undefined;
const started = performance.now();
const log = (line: string) => process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(1)}s] ${line}\n`);
const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const loadAtStart = loadavg();
const opts: RunOptions = { quick, reps: quick ? 1 : 3, log };

log(`starting nginx, sshd + ssh -R, ferry${quick ? ' (quick mode)' : ''}`);
const world = await startWorld();
// A broken pipe or ^C must not leave nginx, sshd or ferry processes behind.
let closing: Promise<void> | undefined;
const closeWorld = () => (closing ??= world.close());
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGPIPE'] as const) process.on(sig, () => void closeWorld().finally(() => process.exit(1)));
process.stderr.on('error', () => void closeWorld().finally(() => process.exit(1)));
const results = new Map<string, ResultRow[]>();
try {
  for (const [id, name, run] of SCENARIOS) {
    if (only && !only.includes(id)) continue;
    log(`scenario ${id}: ${name}`);
    try {
      results.set(id, await run(world, opts));
    } catch (err) {
      log(`scenario ${id} failed: ${(err as Error).stack ?? String(err)}`);
    }
  }
} finally {
  await closeWorld();
}
const rows = ORDER.flatMap((id) => results.get(id) ?? []);
process.stdout.write(`${markdownTable(rows)}\n`);
if (!noWrite) log(`wrote ${await writeReadme(
  rows,
  `npm run bench${quick ? ' -- --quick' : ''}`,
  // The bench's own processes keep ~2 cores busy, so the load at the end is mostly its own.
  `Load average (1/5/15 min) at start: ${loadAtStart}; at end: ${loadavg()} (the bench's own processes load the machine; a start above ~0.5 means other jobs shared it).`,
)}`);
log('done');
