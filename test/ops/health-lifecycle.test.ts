// /healthz and /readyz through the life of an agent connection: the agent is alive but
// not ready until a controller takes it, unready again when that controller goes, and
// ready once a controller is back on the same address.
import t from 'tap';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { createCA } from '../../src/pki/index.js';
import { runFerry, type FerryProcess } from '../../testkit/processes.js';
import { waitUntil } from '../../testkit/metrics.js';
import { freePort, opsStatus } from './ops-helpers.js';

const dir = t.testdir({});
const ca = await createCA();
const agentCert = await ca.issueClient({ kind: 'agent', agent: 'life' });
await writeFile(join(dir, 'ca.crt'), ca.certPem);
await writeFile(join(dir, 'ca.key'), ca.keyPem, { mode: 0o600 });
await writeFile(join(dir, 'agent.crt'), agentCert.certPem);
await writeFile(join(dir, 'agent.key'), agentCert.keyPem, { mode: 0o600 });
const agentsPort = await freePort();
await writeFile(
  join(dir, 'controller.yaml'),
  stringify({
    ca: { cert: 'ca.crt', key: 'ca.key' },
    agents: { listen: `127.0.0.1:${agentsPort}` },
    frontDoor: { listen: '127.0.0.1:0' },
    control: { listen: '127.0.0.1:0' },
    metrics: { listen: '127.0.0.1:0' },
    shutdown: { grace: '2s' },
  }),
);
await writeFile(
  join(dir, 'agent.yaml'),
  stringify({
    controller: { address: `127.0.0.1:${agentsPort}`, serverName: 'localhost' },
    tls: { cert: 'agent.crt', key: 'agent.key', ca: 'ca.crt' },
    metrics: { listen: '127.0.0.1:0' },
    shutdown: { grace: '2s' },
  }),
);

const procs: FerryProcess[] = [];
t.teardown(async () => {
  await Promise.all(procs.map((p) => p.stop('SIGKILL')));
});

async function startController(): Promise<{ proc: FerryProcess; metrics: number }> {
  const proc = runFerry(['controller', '--config', join(dir, 'controller.yaml')]);
  procs.push(proc);
  const started = await proc.waitForMsg('controller started');
  return { proc, metrics: Number(started.metrics) };
}

// The agent comes first, so there is a window where it runs with no controller to reach.
const agent = runFerry(['agent', '--config', join(dir, 'agent.yaml')]);
procs.push(agent);
const agentStarted = await agent.waitForMsg('agent started');
const agentOps = Number(agentStarted.metrics);

void t.test('agent alive but not ready while no controller answers', async (t) => {
  t.ok(agentOps > 0, 'agent logged its metrics port');
  t.equal(await opsStatus(agentOps, '/healthz'), 200);
  t.equal(await opsStatus(agentOps, '/readyz'), 503);
  const body = (await (await fetch(`http://127.0.0.1:${agentOps}/readyz`)).json()) as { status: string; reasons: string[] };
  t.same(body, { status: 'not ready', reasons: ['not connected to a controller'] });
});

void t.test('ready once connected; unready when the controller stops; ready again after it restarts', async (t) => {
  const first = await startController();
  t.equal(await opsStatus(first.metrics, '/healthz'), 200, 'controller alive');
  t.equal(await opsStatus(first.metrics, '/readyz'), 200, 'controller ready: listeners up, CA loaded');
  t.ok(await waitUntil(async () => (await opsStatus(agentOps, '/readyz')) === 200, 15_000), 'agent ready once connected');

  t.equal(await first.proc.stop('SIGTERM'), 0, 'controller exits 0 on SIGTERM');
  t.ok(await waitUntil(async () => (await opsStatus(agentOps, '/readyz')) === 503, 10_000), 'agent not ready after the controller went');
  t.equal(await opsStatus(agentOps, '/healthz'), 200, 'agent still alive');
  t.equal(await opsStatus(first.metrics, '/healthz'), 0, 'the stopped controller serves nothing');

  const second = await startController();
  t.equal(await opsStatus(second.metrics, '/readyz'), 200);
  const reconnectedAt = Date.now();
  t.ok(await waitUntil(async () => (await opsStatus(agentOps, '/readyz')) === 200, 20_000), 'agent ready again after the restart');
  t.comment(`agent ready ${Date.now() - reconnectedAt} ms after the controller came back`);
  t.ok(agent.count('connected to controller') >= 2, 'the agent reconnected');
  t.equal(await opsStatus(agentOps, '/healthz'), 200);
});
