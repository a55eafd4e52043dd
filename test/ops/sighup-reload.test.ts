// SIGHUP picks up a rotated credential with traffic flowing: a new token key dropped into
// the controller's key directory verifies only after SIGHUP, requests in flight keep
// succeeding throughout, and an agent reloads its services on SIGHUP without dropping
// its connection.
import t from 'tap';
import { join } from 'node:path';
import { request } from 'undici';
import { serviceAudience, TokenIssuer, TokenKeyStore } from '../../src/tokens/index.js';
import { frontDoorClient } from '../../testkit/client.js';
import { watchLog } from '../../testkit/log-watch.js';
import { startTunnelEnv } from '../../testkit/tunnel-env.js';
import { startUpstream } from '../fixtures/upstream.js';

const upstream = await startUpstream();
const env = await startTunnelEnv();
const agent = await env.startAgent('rot', [{ type: 'x-echo', name: 'demo', url: upstream.url }]);
t.teardown(async () => {
  await env.close();
  await upstream.close();
});

void t.test('a rotated token key works after SIGHUP, not before, with traffic flowing', async (t) => {
  const client = frontDoorClient(env.ca.certPem);
  t.teardown(() => client.close());
  const get = async (token: string) => {
    const res = await request(`${env.frontDoorUrl}/rotate`, { dispatcher: client, headers: { authorization: `Bearer ${token}` } });
    await res.body.dump();
    return res.statusCode;
  };

  // Background traffic with a token from the original key, all through the rotation.
  const oldToken = await env.token('rot', 'x-echo', 'demo');
  const background: number[] = [];
  let flowing = true;
  const traffic = (async () => {
    while (flowing) background.push(await get(oldToken));
  })();

  while (background.length < 5) await new Promise((r) => setTimeout(r, 20));

  // An operator (or another replica) adds a key to the directory; it is the newest, so it signs.
  const store = await TokenKeyStore.open(join(env.dir, 'state', 'token-keys'), { issuer: `ferry:${env.ca.trustDomain}`, createIfEmpty: false });
  const newKey = await store.rotate();
  const issued = await new TokenIssuer(store).issue({
    purpose: 'service',
    sub: 'demo.rot',
    aud: serviceAudience('rot', 'x-echo', 'demo'),
    agent: 'rot',
    type: 'x-echo',
    name: 'demo',
    ttlSeconds: 600,
  });
  t.equal(await get(issued.token), 401, 'a token signed by the new key is refused before SIGHUP');

  const log = watchLog(env.controller);
  const beforeHup = background.length;
  env.controller.child.kill('SIGHUP');
  const reloaded = await log.next((l) => l.msg === 'controller reloaded');
  t.equal(reloaded['tokenKeys'], 2, 'the controller now knows both keys');
  t.equal(await get(issued.token), 200, 'the new key verifies after SIGHUP');
  t.equal(await get(oldToken), 200, 'the old key still verifies');
  t.ok(newKey.kid, 'new key has a kid');

  while (background.length < beforeHup + 10) await new Promise((r) => setTimeout(r, 20));
  flowing = false;
  await traffic;
  t.ok(beforeHup > 0, `${beforeHup} background requests before SIGHUP, ${background.length - beforeHup} after`);
  t.same([...new Set(background)], [200], 'every background request succeeded through the rotation');
  t.equal(env.controller.child.exitCode, null, 'the controller is still running');
});

void t.test('an agent reloads its services on SIGHUP and stays connected', async (t) => {
  const svc = await env.serviceCert('rot', 'x-echo', 'demo');
  const client = frontDoorClient(env.ca.certPem, svc);
  t.teardown(() => client.close());
  const log = watchLog(agent);
  agent.child.kill('SIGHUP');
  const line = await log.next((l) => l.msg === 'agent reloaded');
  t.equal(line['failed'], 0);
  const res = await request(`${env.frontDoorUrl}/after-hup`, { dispatcher: client });
  t.equal(res.statusCode, 200, 'traffic still flows');
  await res.body.dump();
  t.equal(agent.count('connected to controller'), 1, 'no reconnect was needed');
});
