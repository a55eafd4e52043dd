// Several controllers, one address: 3 controller replicas on one PostgreSQL behind a real
// HAProxy (TCP mode; one address for agents, one for clients) and 2 agents that know only
// HAProxy's address. Each agent comes to hold a session to every replica; requests through
// HAProxy all succeed and every replica serves some; a replica killed with SIGKILL during
// a load fails only its own requests, fast, and requests 1 s later all succeed; a fourth
// replica started later is reached by both agents within 10 s, with no agent restart.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { Agent, request } from 'undici';
import { stringify } from 'yaml';
import { createCA } from '../../src/pki/index.js';
import { startHaproxy } from '../../testkit/haproxy.js';
import { waitUntil } from '../../testkit/metrics.js';
import { freePort } from '../../testkit/net.js';
import { startPostgres } from '../../testkit/postgres.js';
import { runFerry, type FerryProcess } from '../../testkit/processes.js';
import { startUpstream } from '../fixtures/upstream.js';

const pg = await startPostgres();
t.teardown(() => pg.stop());
const upstream = await startUpstream();
t.teardown(() => upstream.close());
const dir = await mkdtemp(join(tmpdir(), 'ferry-replicas-'));
t.teardown(() => rm(dir, { recursive: true, force: true }));
const ca = await createCA();
await writeFile(join(dir, 'ca.crt'), ca.certPem);
await writeFile(join(dir, 'ca.key'), ca.keyPem, { mode: 0o600 });
await writeFile(join(dir, 'store.key'), randomBytes(32).toString('base64'), { mode: 0o600 });
await writeFile(join(dir, 'store.url'), `${pg.url}\n`, { mode: 0o600 });
await writeFile(
  join(dir, 'controller.yaml'),
  stringify({
    ca: { cert: 'ca.crt', key: 'ca.key' },
    store: { urlFile: 'store.url', keyFile: 'store.key', pollInterval: '250ms' },
    replica: { heartbeat: '500ms', timeout: '3s' },
    shutdown: { grace: '2s' },
  }),
);

interface Replica {
  name: string;
  agentsPort: number;
  frontDoorPort: number;
  controlPort: number;
  metricsPort: number;
  process?: FerryProcess;
}
const replicas: Replica[] = [];
for (const name of ['r1', 'r2', 'r3', 'r4']) {
  replicas.push({ name, agentsPort: await freePort(), frontDoorPort: await freePort(), controlPort: await freePort(), metricsPort: await freePort() });
}
const startReplica = async (r: Replica): Promise<void> => {
  r.process = runFerry(['controller', '--config', join(dir, 'controller.yaml')], {
    env: {
      FERRY_REPLICA_ID: r.name,
      FERRY_AGENTS_LISTEN: `127.0.0.1:${r.agentsPort}`,
      FERRY_FRONTDOOR_LISTEN: `127.0.0.1:${r.frontDoorPort}`,
      FERRY_CONTROL_LISTEN: `127.0.0.1:${r.controlPort}`,
      FERRY_METRICS_LISTEN: `127.0.0.1:${r.metricsPort}`,
    },
  });
  await r.process.waitForMsg('controller started', 20_000);
};
t.teardown(() => Promise.all(replicas.flatMap((r) => (r.process ? [r.process.stop('SIGKILL')] : []))));
// Three at once: the schema is migrated once, under the advisory lock.
await Promise.all(replicas.slice(0, 3).map(startReplica));

const haproxy = await startHaproxy(replicas.map((r) => ({ name: r.name, agentsPort: r.agentsPort, frontDoorPort: r.frontDoorPort })));
t.teardown(() => haproxy.stop());

const agents: FerryProcess[] = [];
for (const name of ['edge-a', 'edge-b']) {
  const issued = await ca.issueClient({ kind: 'agent', agent: name });
  await writeFile(join(dir, `${name}.crt`), issued.certPem);
  await writeFile(join(dir, `${name}.key`), issued.keyPem, { mode: 0o600 });
  await writeFile(
    join(dir, `${name}.yaml`),
    stringify({
      controller: { address: `127.0.0.1:${haproxy.agentsPort}`, serverName: 'localhost' },
      tls: { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`), ca: join(dir, 'ca.crt') },
      services: [{ type: 'x-echo', name: 'demo', url: upstream.url }],
      shutdown: { grace: '2s' },
    }),
  );
  agents.push(runFerry(['agent', '--config', join(dir, `${name}.yaml`)]));
}
t.teardown(() => Promise.all(agents.map((a) => a.stop('SIGKILL'))));

/** One series of a replica's metrics, summed over its labels. */
const metric = async (r: Replica, name: string): Promise<number> => {
  try {
    const text = await (await fetch(`http://127.0.0.1:${r.metricsPort}/metrics`)).text();
    return text
      .split('\n')
      .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
      .reduce((n, l) => n + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
  } catch {
    return -1;
  }
};
const sessionsAt = (r: Replica) => metric(r, 'ferry_agent_sessions');

const controlDispatcher = await (async () => {
  const issued = await ca.issueClient({ kind: 'control', name: 'admin' });
  return new Agent({ connect: { ca: ca.certPem, cert: issued.certPem, key: issued.keyPem, servername: 'localhost' } });
})();
t.teardown(() => controlDispatcher.close());
/** A service token from whichever replica knows the agent already (a credential is for a known agent). */
const tokenFor = async (agent: string): Promise<string> => {
  const end = Date.now() + 30_000;
  let last = '';
  while (Date.now() < end) {
    for (const r of replicas.slice(0, 3)) {
      const res = await request(`https://127.0.0.1:${r.controlPort}/api/v1/credentials/service`, {
        method: 'POST',
        dispatcher: controlDispatcher,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ agent, type: 'x-echo', name: 'demo' }),
      });
      const answer = (await res.body.json()) as { token?: string };
      if (res.statusCode === 200 && answer.token) return answer.token;
      last = `${res.statusCode} ${JSON.stringify(answer)}`;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no credentials for ${agent}: ${last}`);
};
const allSessions = async (n: number) => (await Promise.all(replicas.slice(0, n).map(sessionsAt))).every((c) => c === 2);

void t.test('within 10 s each agent holds a session to each of the 3 replicas', async (t) => {
  const started = Date.now();
  const all = await waitUntil(() => allSessions(3), 10_000, 100);
  t.ok(all, `2 agent sessions at every replica after ${Date.now() - started} ms: ${(await Promise.all(replicas.slice(0, 3).map(sessionsAt))).join(', ')}`);
});

// Filled once the agents are connected (a service credential is for a known agent).
const tokens = { a: '', b: '' };
const through = async (dispatcher: Agent, i: number): Promise<number> => {
  const [agent, token] = i % 2 === 0 ? ['edge-a', tokens.a] : ['edge-b', tokens.b];
  const res = await request(`https://127.0.0.1:${haproxy.clientsPort}/${agent}/r${i}`, {
    dispatcher,
    headers: { authorization: `Bearer ${token}`, host: 'localhost' },
    headersTimeout: 5000,
    bodyTimeout: 5000,
  });
  const body = await res.body.text();
  if (res.statusCode !== 200 && process.env.DEBUG_REPLICAS) console.error(res.statusCode, body);
  return res.statusCode;
};
/** `total` requests, `concurrency` at a time, each worker on its own connection through HAProxy. */
const load = async (total: number, concurrency: number, make: () => Agent): Promise<{ statuses: number[]; errors: string[]; slowestMs: number }> => {
  const statuses: number[] = [];
  const errors: string[] = [];
  let next = 0;
  let slowestMs = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      const dispatcher = make();
      try {
        while (next < total) {
          const i = next++;
          const began = Date.now();
          try {
            statuses.push(await through(dispatcher, i));
          } catch (err) {
            errors.push((err as Error).message);
          }
          slowestMs = Math.max(slowestMs, Date.now() - began);
        }
      } finally {
        await dispatcher.destroy();
      }
    }),
  );
  return { statuses, errors, slowestMs };
};
const oneConnection = () => new Agent({ connect: { ca: ca.certPem, servername: 'localhost' }, connections: 1, pipelining: 1 });

void t.test('1,000 requests through HAProxy all succeed and every replica served some', async (t) => {
  // A slow start above must not turn into failures here: wait (longer) for every session.
  t.ok(await waitUntil(() => allSessions(3), 30_000, 200), 'every session is up');
  tokens.a = await tokenFor('edge-a');
  tokens.b = await tokenFor('edge-b');
  const before = await Promise.all(replicas.slice(0, 3).map((r) => metric(r, 'ferry_requests_total')));
  const began = Date.now();
  const { statuses, errors } = await load(1000, 16, oneConnection);
  const ms = Date.now() - began;
  t.equal(errors.length, 0, `no errors ${errors.slice(0, 3).join('; ')}`);
  t.equal(statuses.filter((s) => s === 200).length, 1000, `1000 × 200 in ${ms} ms (${Math.round(1000 / (ms / 1000))} req/s)`);
  const after = await Promise.all(replicas.slice(0, 3).map((r) => metric(r, 'ferry_requests_total')));
  const served = after.map((n, i) => n - before[i]!);
  t.ok(served.every((n) => n > 0), `served per replica: ${served.join(', ')}`);
});

void t.test('SIGKILL one replica under 16 clients: its requests fail fast, requests 1 s later all succeed', async (t) => {
  const victim = replicas[1]!;
  const during = load(600, 16, oneConnection);
  await new Promise((r) => setTimeout(r, 150));
  const killedAt = Date.now();
  await victim.process!.stop('SIGKILL');
  const { statuses, errors, slowestMs } = await during;
  const failed = errors.length + statuses.filter((s) => s !== 200).length;
  t.ok(slowestMs < 6000, `no hang: the slowest request took ${slowestMs} ms`);
  t.comment(`during the kill: ${statuses.filter((s) => s === 200).length} ok, ${failed} failed (${[...new Set(errors)].slice(0, 3).join('; ')} ${[...new Set(statuses.filter((s) => s !== 200))].join(',')})`);
  const wait = 1000 - (Date.now() - killedAt);
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  const after = await load(300, 16, oneConnection);
  t.equal(after.errors.length, 0, `no errors after 1 s ${after.errors.slice(0, 3).join('; ')}`);
  const others = after.statuses.filter((s) => s !== 200);
  t.equal(after.statuses.length - others.length, 300, `all 300 requests started 1 s after the kill succeed (others: ${others.join(',') || 'none'})`);
  // Once the dead replica's heartbeat times out (3 s), agents stop redialling for it.
  const survivors = [replicas[0]!, replicas[2]!];
  const connects = () => survivors.reduce((n, r) => n + r.process!.count('agent connected'), 0);
  await new Promise((r) => setTimeout(r, Math.max(0, killedAt + 4500 - Date.now())));
  const settled = connects();
  await new Promise((r) => setTimeout(r, 2000));
  t.equal(connects(), settled, 'no more redials once the set has shrunk');
  t.same(await Promise.all(survivors.map(sessionsAt)), [2, 2], 'each agent still holds one session per live replica');
});

void t.test('a fourth replica: both agents reach it within 10 s, no agent restart', async (t) => {
  const r4 = replicas[3]!;
  const began = Date.now();
  await startReplica(r4);
  const reached = await waitUntil(async () => (await sessionsAt(r4)) === 2, 10_000, 100);
  t.ok(reached, `both agents hold a session to r4 ${Date.now() - began} ms after it started`);
  for (const a of agents) t.equal(a.count('agent started'), 1, 'the agent was not restarted');
  const { statuses } = await load(200, 8, oneConnection);
  t.equal(statuses.filter((s) => s === 200).length, 200, 'requests still all succeed');
});

