// Two controller processes sharing one data folder (and CA): a token revoked through one
// controller's control API is refused at the other's front door within 2 s, without SIGHUP;
// a bootstrap token spent at one is refused at the other; and an agent onboarded at one is
// known to the other.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { stringify } from 'yaml';
import { Agent, request } from 'undici';
import { createCsr } from '../../src/pki/index.js';
import { frontDoorClient } from '../../testkit/client.js';
import { runFerry } from '../../testkit/processes.js';
import { startUpstream } from '../fixtures/upstream.js';
import { startControlEnv } from '../control/control-env.js';

const upstream = await startUpstream();
const env = await startControlEnv();
// The second controller: same config file (ports 0, so its own ports), same dataDir and CA.
const second = runFerry(['controller', '--config', join(env.dir, 'controller.yaml')]);
const started = await second.waitForMsg('controller started');
const secondPorts = { agents: Number(started.agents), frontDoor: Number(started.frontDoor), control: Number(started.control) };

const issued = await env.ca.issueClient({ kind: 'agent', agent: 'shared' });
await writeFile(join(env.dir, 'shared.crt'), issued.certPem);
await writeFile(join(env.dir, 'shared.key'), issued.keyPem, { mode: 0o600 });
await writeFile(
  join(env.dir, 'shared-agent.yaml'),
  stringify({
    controller: { address: `127.0.0.1:${secondPorts.agents}`, serverName: 'localhost' },
    tls: { cert: join(env.dir, 'shared.crt'), key: join(env.dir, 'shared.key'), ca: join(env.dir, 'ca.crt') },
    services: [{ type: 'x-echo', name: 'demo', url: upstream.url }],
    shutdown: { grace: '5s' },
  }),
);
const agent = runFerry(['agent', '--config', join(env.dir, 'shared-agent.yaml')]);
await agent.waitForMsg('connected to controller');

t.teardown(async () => {
  await agent.stop('SIGKILL');
  await second.stop('SIGKILL');
  await env.close();
  await upstream.close();
});

void t.test('a token revoked at one controller is refused by the other within 2 s', async (t) => {
  const token = await env.token('shared', 'x-echo', 'demo');
  const client = frontDoorClient(env.ca.certPem);
  t.teardown(() => client.close());
  const get = async (): Promise<{ status: number; body: unknown }> => {
    const res = await request(`https://127.0.0.1:${secondPorts.frontDoor}/shared`, { dispatcher: client, headers: { authorization: `Bearer ${token}` } });
    const text = await res.body.text();
    return { status: res.statusCode, body: res.statusCode === 401 ? JSON.parse(text) : text };
  };
  t.equal((await get()).status, 200, 'the token works at the second controller');

  const revoked = await env.call('POST', '/api/v1/revocations', { token });
  t.equal(revoked.status, 200, 'revoked through the first controller');
  const since = Date.now();
  let last = await get();
  while (last.status !== 401 && Date.now() - since < 2000) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    last = await get();
  }
  const took = Date.now() - since;
  t.equal(last.status, 401, `the second controller refuses it (after ${took} ms)`);
  t.match(last.body, { error: { message: 'token revoked' } });
  t.ok(took < 2000, 'within 2 s');
  t.equal(second.count('controller reloaded'), 0, 'no SIGHUP reload was involved');
});

void t.test('a bootstrap token spent at one controller is refused by the other', async (t) => {
  const onboard = await env.call('POST', '/api/v1/agents/onboard', { agent: 'twice' });
  t.equal(onboard.status, 200);
  const token = String(onboard.json.bootstrapToken);
  const csr = await createCsr({ kind: 'agent', agent: 'twice' }, env.ca.trustDomain);
  const dispatcher = new Agent({ connect: { ca: env.ca.certPem } });
  t.teardown(() => dispatcher.close());
  const enrolAtSecond = async () => {
    const res = await request(`https://127.0.0.1:${secondPorts.control}/api/v1/agents/bootstrap`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ csr: csr.csrPem }),
      dispatcher,
    });
    return { status: res.statusCode, json: (await res.body.json()) as Record<string, unknown> };
  };
  const first = await enrolAtSecond();
  t.equal(first.status, 200, 'enrolled at the second controller');
  const again = await env.call('POST', '/api/v1/agents/bootstrap', { csr: csr.csrPem }, { token });
  t.equal(again.status, 401, 'the first controller refuses the spent token');
  t.match(again.json, { error: { message: 'bootstrap token already used' } });
});

void t.test('both controllers race one bootstrap token: exactly one certificate', async (t) => {
  const onboard = await env.call('POST', '/api/v1/agents/onboard', { agent: 'race' });
  const token = String(onboard.json.bootstrapToken);
  const csr = await createCsr({ kind: 'agent', agent: 'race' }, env.ca.trustDomain);
  const dispatcher = new Agent({ connect: { ca: env.ca.certPem } });
  t.teardown(() => dispatcher.close());
  const at = async (port: number): Promise<number> => {
    const res = await request(`https://127.0.0.1:${port}/api/v1/agents/bootstrap`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ csr: csr.csrPem }),
      dispatcher,
    });
    await res.body.dump();
    return res.statusCode;
  };
  const statuses = await Promise.all([at(env.controlPort), at(secondPorts.control), at(env.controlPort), at(secondPorts.control)]);
  t.same(statuses.filter((s) => s === 200).length, 1, `one 200 among ${statuses.join(', ')}`);
  t.same(statuses.filter((s) => s !== 200), [401, 401, 401], 'the rest are refused');
});
