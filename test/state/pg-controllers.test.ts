// Two controller processes on one PostgreSQL (a throw-away cluster): a revocation at one is
// refused by the other within 1 s; one bootstrap token raced at both enrols exactly once;
// the database stopped → tokens get 503 (revocations refused closed) while the database is
// away, then work again; the database down at start → a clear error and exit ≠ 0.
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { Agent, request } from 'undici';
import { stringify } from 'yaml';
import { createCsr } from '../../src/pki/index.js';
import { frontDoorClient } from '../../testkit/client.js';
import { freePort } from '../../testkit/net.js';
import { startPostgres } from '../../testkit/postgres.js';
import { ferryOnce, runFerry } from '../../testkit/processes.js';
import { startUpstream } from '../fixtures/upstream.js';
import { startControlEnv } from '../control/control-env.js';

const pg = await startPostgres();
t.teardown(() => pg.stop());
const upstream = await startUpstream();
t.teardown(() => upstream.close());
const keyFile = join(pg.dir, 'store.key');
await writeFile(keyFile, randomBytes(32).toString('base64'), { mode: 0o600 });
const env = await startControlEnv({ store: { url: pg.url, keyFile, pollInterval: '200ms', maxStaleness: '1s' } });
const second = runFerry(['controller', '--config', join(env.dir, 'controller.yaml')]);
const started = await second.waitForMsg('controller started');
const secondPorts = { agents: Number(started.agents), frontDoor: Number(started.frontDoor), control: Number(started.control) };

// One agent, connected to both controllers (two processes, one config each).
const agents = [];
for (const port of [env.ports.agents, secondPorts.agents]) {
  const file = await env.agentConfig('shared', [{ type: 'x-echo', name: 'demo', url: upstream.url }], {
    controller: { address: `127.0.0.1:${port}`, serverName: 'localhost' },
  });
  const agent = env.runAgent(file);
  await agent.waitForMsg('connected to controller');
  agents.push(agent);
}
t.teardown(async () => {
  await second.stop('SIGKILL');
  await env.close();
});

const client = frontDoorClient(env.ca.certPem);
t.teardown(() => client.close());
const get = async (port: number, token: string): Promise<{ status: number; body: string }> => {
  const res = await request(`https://127.0.0.1:${port}/shared`, { dispatcher: client, headers: { authorization: `Bearer ${token}` } });
  return { status: res.statusCode, body: await res.body.text() };
};
const serviceToken = async () => String((await env.call('POST', '/api/v1/credentials/service', { agent: 'shared', type: 'x-echo', name: 'demo' })).json.token);

void t.test('the database down at start: a clear error naming it, exit ≠ 0, no password shown', async (t) => {
  const port = await freePort();
  const file = join(env.dir, 'down.yaml');
  await writeFile(
    file,
    stringify({ ca: { cert: 'ca.crt', key: 'ca.key' }, agents: { listen: '127.0.0.1:0' }, frontDoor: { listen: '127.0.0.1:0' }, control: { listen: '127.0.0.1:0' }, metrics: { listen: '127.0.0.1:0' }, store: { keyFile } }),
  );
  const started = Date.now();
  const run = await ferryOnce(['controller', '--config', file], { env: { FERRY_STORE_URL: `postgres://ferry:pw-s3cret@127.0.0.1:${port}/ferry` } });
  t.not(run.code, 0, 'exit ≠ 0');
  t.match(run.stderr, new RegExp(`cannot open the state store at postgresql://127\\.0\\.0\\.1:${port}/ferry`));
  t.notMatch(run.stderr + run.stdout, /pw-s3cret/, 'the password is never shown');
  t.ok(Date.now() - started < 15_000, `gave up in ${Date.now() - started} ms`);
});

void t.test('a postgres store without keyFile is a config error naming the key', async (t) => {
  const file = join(env.dir, 'nokey.yaml');
  await writeFile(file, stringify({ ca: { cert: 'ca.crt', key: 'ca.key' }, store: { url: pg.url } }));
  const run = await ferryOnce(['controller', '--config', file]);
  t.not(run.code, 0);
  t.match(run.stderr, /nokey\.yaml.*store\.keyFile|store\.keyFile.*nokey\.yaml/s);
});

void t.test('a token revoked at one controller is refused by the other within 1 s', async (t) => {
  const token = await serviceToken();
  t.equal((await get(secondPorts.frontDoor, token)).status, 200, 'works at the second');
  t.equal((await get(env.ports.frontDoor, token)).status, 200, 'and at the first');
  t.equal((await env.call('POST', '/api/v1/revocations', { token })).status, 200);
  const since = Date.now();
  let last = await get(secondPorts.frontDoor, token);
  while (last.status !== 401 && Date.now() - since < 2000) last = await get(secondPorts.frontDoor, token);
  const took = Date.now() - since;
  t.equal(last.status, 401, `refused at the second after ${took} ms`);
  t.ok(took < 1000, 'within 1 s');
});

void t.test('one bootstrap token raced at both controllers enrols exactly once (50 rounds)', async (t) => {
  const dispatcher = new Agent({ connect: { ca: env.ca.certPem } });
  t.teardown(() => dispatcher.close());
  const at = async (port: number, token: string, csr: string): Promise<number> => {
    const res = await request(`https://127.0.0.1:${port}/api/v1/agents/bootstrap`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ csr }),
      dispatcher,
    });
    await res.body.dump();
    return res.statusCode;
  };
  let exactlyOnce = 0;
  for (let round = 0; round < 50; round++) {
    const agent = `race-${round}`;
    const token = String((await env.call('POST', '/api/v1/agents/onboard', { agent })).json.bootstrapToken);
    const { csrPem } = await createCsr({ kind: 'agent', agent }, env.ca.trustDomain);
    const statuses = await Promise.all([at(env.controlPort, token, csrPem), at(secondPorts.control, token, csrPem)]);
    if (statuses.filter((s) => s === 200).length === 1 && statuses.filter((s) => s === 401).length === 1) exactlyOnce++;
    else t.fail(`round ${round}: ${statuses.join(', ')}`);
  }
  t.equal(exactlyOnce, 50, 'one 200 and one 401 in every round');
});

void t.test('the database stopped: tokens get 503 after maxStaleness, serving resumes when it is back', async (t) => {
  const token = await serviceToken();
  t.equal((await get(secondPorts.frontDoor, token)).status, 200);
  await pg.halt();
  const haltedAt = Date.now();
  let last = await get(secondPorts.frontDoor, token);
  while (last.status === 200 && Date.now() - haltedAt < 5000) {
    await new Promise((r) => setTimeout(r, 50));
    last = await get(secondPorts.frontDoor, token);
  }
  t.equal(last.status, 503, `503 after ${Date.now() - haltedAt} ms`);
  t.match(last.body, /no word from the state store/);
  t.ok(Date.now() - haltedAt < 3000, 'within maxStaleness (1 s) and a ping');
  let other = await get(env.ports.frontDoor, token);
  while (other.status === 200 && Date.now() - haltedAt < 5000) other = await get(env.ports.frontDoor, token);
  t.equal(other.status, 503, 'the other replica refuses closed too');
  await pg.start();
  const back = Date.now();
  while (last.status !== 200 && Date.now() - back < 10_000) {
    await new Promise((r) => setTimeout(r, 100));
    last = await get(secondPorts.frontDoor, token);
  }
  t.equal(last.status, 200, `served again ${Date.now() - back} ms after the database came back`);
});
