// The reverse direction: a workload beside the agent calls a local listener; the request
// rides the agent's connection to the controller, which calls a controller-side service
// and adds the credential only it holds.
import t from 'tap';
import { request } from 'undici';
import { startTunnelEnv } from '../../testkit/tunnel-env.js';
import { startUpstream } from '../fixtures/upstream.js';

const SAAS_SECRET = 'saas-secret-7f3c0b1e';
process.env.FERRY_TEST_SAAS_TOKEN = SAAS_SECRET;
const saas = await startUpstream();
const env = await startTunnelEnv({
  reverse: [
    {
      agents: ['a1'],
      service: { type: 'x-saas', name: 'api', url: saas.url, credential: { kind: 'bearer', token: { env: 'FERRY_TEST_SAAS_TOKEN' } }, health: { enabled: false } },
    },
    { agents: ['someone-else'], service: { type: 'x-saas', name: 'private', url: saas.url, health: { enabled: false } } },
  ],
});
const agent = await env.startAgent('a1', [], {
  listeners: [
    { listen: '127.0.0.1:0', type: 'x-saas', name: 'api' },
    { listen: '127.0.0.1:0', type: 'x-saas', name: 'private' },
  ],
});
const ready = agent.lines.filter((l) => l.msg === 'reverse listener ready').map((l) => String(l.listen));
const [apiUrl, privateUrl] = ready.map((listen) => `http://${listen}`);
t.teardown(async () => {
  await env.close();
  await saas.close();
});

void t.test('a request from the agent side reaches the controller-side service with its credential', async (t) => {
  const res = await request(`${apiUrl}/v1/things?x=1`, {
    method: 'POST',
    body: 'payload',
    headers: { authorization: 'Bearer workload-own-token', 'x-custom': 'kept' },
  });
  t.equal(res.statusCode, 200);
  const seen = (await res.body.json()) as { url: string; headers: Record<string, string>; bodyBytes: number };
  t.equal(seen.url, '/v1/things?x=1');
  t.equal(seen.bodyBytes, 7);
  t.equal(seen.headers.authorization, `Bearer ${SAAS_SECRET}`, 'the controller added its credential, replacing the workload’s');
  t.equal(seen.headers['x-custom'], 'kept');
  t.notOk(agent.raw.join('\n').includes(SAAS_SECRET), 'the agent never saw the secret');
  t.notOk(env.controller.raw.join('\n').includes(SAAS_SECRET), 'the controller never logged the secret');
});

void t.test('a large download comes back streamed', async (t) => {
  const res = await request(`${apiUrl}/download?bytes=${8 * 1024 * 1024}`);
  let n = 0;
  for await (const chunk of res.body) n += (chunk as Buffer).length;
  t.equal(n, 8 * 1024 * 1024);
});

void t.test('a service the agent is not allowed to call answers 404, nothing reaches it', async (t) => {
  const before = saas.requests.length;
  const res = await request(`${privateUrl}/secret`);
  t.equal(res.statusCode, 404);
  const body = (await res.body.json()) as { error: { code: string } };
  t.equal(body.error.code, 'FERRY_ERR_NO_SERVICE');
  t.equal(saas.requests.length, before);
  await env.controller.waitForMsg('reverse request refused: agent not allowed');
});
