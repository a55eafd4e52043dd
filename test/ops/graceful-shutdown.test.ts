// Graceful shutdown of the controller: SIGTERM one second into a 30-second response.
// The controller stops accepting (new connections refused, new requests on kept-alive
// connections answered 503), says it is not ready, tells the agent it is draining, lets
// the in-flight response finish completely, and then exits 0.
import t from 'tap';
import { connect } from 'node:net';
import { request } from 'undici';
import { frontDoorClient } from '../../testkit/client.js';
import { watchLog } from '../../testkit/log-watch.js';
import { startTunnelEnv } from '../../testkit/tunnel-env.js';
import { startUpstream } from '../fixtures/upstream.js';
import { opsStatus } from './ops-helpers.js';

// The issue asks for 30 s; OPS_TEST_RESPONSE_MS shortens it when iterating locally.
const RESPONSE_MS = Number(process.env['OPS_TEST_RESPONSE_MS'] ?? 30_000);

void t.test('an in-flight 30 s response finishes while the controller drains', async (t) => {
  const upstream = await startUpstream();
  const env = await startTunnelEnv({ shutdown: { grace: '60s' } });
  t.teardown(async () => {
    await env.close();
    await upstream.close();
  });
  const agent = await env.startAgent('slow', [{ type: 'x-echo', name: 'demo', url: upstream.url }]);
  const svc = await env.serviceCert('slow', 'x-echo', 'demo');
  const longClient = frontDoorClient(env.ca.certPem, svc);
  const keptAlive = frontDoorClient(env.ca.certPem, { ...svc, h2: true });
  t.teardown(async () => {
    await longClient.close();
    await keptAlive.destroy();
  });

  // An h2 connection opened before the drain, kept open for a request during it.
  const warm = await request(`${env.frontDoorUrl}/warm`, { dispatcher: keptAlive });
  t.equal(warm.statusCode, 200);
  await warm.body.dump();

  const started = Date.now();
  const res = await request(`${env.frontDoorUrl}/silent?ms=${RESPONSE_MS}`, { dispatcher: longClient });
  t.equal(res.statusCode, 200);
  const chunks: string[] = [];
  const body = (async () => {
    for await (const chunk of res.body) chunks.push((chunk as Buffer).toString());
  })();

  await new Promise((r) => setTimeout(r, 1_000 - (Date.now() - started)));
  const agentLog = watchLog(agent);
  env.controller.child.kill('SIGTERM');
  await env.controller.waitForMsg('controller stopping');
  const sigtermAt = Date.now() - started;

  t.equal(await opsStatus(env.ports.metrics, '/readyz'), 503, 'not ready while draining');
  t.equal(await opsStatus(env.ports.metrics, '/healthz'), 200, 'still alive while draining');
  const draining = await agentLog.next((l) => l.msg === 'controller is draining; will reconnect when it goes');
  t.equal(draining['reason'], 'controller shutting down', 'the agent was told on its control stream');

  const refusedConnect = await new Promise<string>((resolve) => {
    const sock = connect(env.ports.frontDoor, '127.0.0.1');
    sock.on('connect', () => {
      sock.destroy();
      resolve('connected');
    });
    sock.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
  t.equal(refusedConnect, 'ECONNREFUSED', 'new connections are refused during the drain');
  const late = await request(`${env.frontDoorUrl}/late`, { dispatcher: keptAlive }).then(
    async (r) => {
      const text = await r.body.text();
      return { status: r.statusCode, text };
    },
    (err: Error) => ({ status: 0, text: err.message }),
  );
  t.equal(late.status, 503, `a new request on an open connection is refused: ${late.text.slice(0, 120)}`);
  t.match(late.text, /controller is shutting down/);
  t.equal(env.controller.child.exitCode, null, 'the controller waits for the in-flight response');

  await body;
  const finishedAt = Date.now() - started;
  t.equal(chunks.join(''), 'first\nsecond\n', 'the in-flight response arrived complete');
  t.ok(finishedAt >= RESPONSE_MS, `the response took its full ${RESPONSE_MS} ms (${finishedAt} ms)`);

  const code = await env.controller.exited;
  const exitedAt = Date.now() - started;
  t.equal(code, 0, 'the controller exits 0');
  t.ok(exitedAt < RESPONSE_MS + 5_000, `and promptly after the last response (${exitedAt} ms)`);
  t.comment(`SIGTERM at ${sigtermAt} ms, response finished at ${finishedAt} ms, exit at ${exitedAt} ms`);
});
