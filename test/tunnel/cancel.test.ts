// A client that goes away aborts the upstream request; the open-stream gauges of both
// programs return to 0; an upstream that resets reaches the client as a reset.
import t from 'tap';
import { request } from 'undici';
import { frontDoorClient } from '../../testkit/client.js';
import { scrapeValue, waitUntil } from '../../testkit/metrics.js';
import { watchLog } from '../../testkit/log-watch.js';
import { startTunnelEnv } from '../../testkit/tunnel-env.js';
import { startUpstream } from '../fixtures/upstream.js';
import { join } from 'node:path';
import { freePort } from '../../testkit/net.js';


const upstream = await startUpstream();
const env = await startTunnelEnv();
const agentMetrics = await freePort();
await env.startAgent('a1', [{ type: 'x-stream', name: 'ticks', url: upstream.url }], { metrics: { listen: `127.0.0.1:${agentMetrics}` } });
const token = await env.token('a1', 'x-stream', 'ticks');
t.teardown(async () => {
  await env.close();
  await upstream.close();
});

const controllerGauge = () => scrapeValue(env.ports.metrics, 'ferry_open_streams{side="controller"}');
const agentGauge = () => scrapeValue(agentMetrics, 'ferry_open_streams{side="agent"}');

void t.test('50 clients in a row abort an endless response: each reaches the upstream', async (t) => {
  const client = frontDoorClient(env.ca.certPem);
  t.teardown(() => client.close());
  for (let i = 0; i < 50; i++) {
    const ac = new AbortController();
    const res = await request(`${env.frontDoorUrl}/stream`, { dispatcher: client, headers: { 'x-ferry-token': token }, signal: ac.signal });
    for await (const _chunk of res.body) break; // got the first tick
    ac.abort();
  }
  t.equal(upstream.startedStreams, 50);
  t.ok(await waitUntil(() => upstream.openStreams === 0, 5_000), `upstream open streams back to 0 (now ${upstream.openStreams})`);
  t.ok(await waitUntil(async () => (await controllerGauge()) === 0 && (await agentGauge()) === 0, 5_000), 'both gauges back to 0');
});

void t.test('100 concurrent aborts', async (t) => {
  const client = frontDoorClient(env.ca.certPem, { h2: true });
  t.teardown(() => client.close());
  const started = upstream.startedStreams;
  const controllers = Array.from({ length: 100 }, () => new AbortController());
  await Promise.all(
    controllers.map(async (ac) => {
      const res = await request(`${env.frontDoorUrl}/stream`, { dispatcher: client, headers: { 'x-ferry-token': token }, signal: ac.signal });
      res.body.on('error', () => undefined);
      // Wait for the first tick but keep the response open (breaking a for-await would close it).
      await new Promise((resolve) => res.body.once('data', resolve));
    }),
  );
  t.equal(await controllerGauge(), 100, 'controller gauge counts the open streams');
  const controllerLog = watchLog(env.controller);
  for (const ac of controllers) ac.abort();
  t.equal(upstream.startedStreams - started, 100);
  t.ok(await waitUntil(() => upstream.openStreams === 0, 5_000), `upstream open streams back to 0 (now ${upstream.openStreams})`);
  t.ok(await waitUntil(async () => (await controllerGauge()) === 0 && (await agentGauge()) === 0, 5_000), 'both gauges back to 0');
  // Ticks the agent sent before it saw the cancel are expected, not a protocol error
  // (a line for each of them stalled the controller on its log pipe).
  const warnings = controllerLog.since().filter((l) => l.level === 'warn').map((l) => l.msg);
  t.same(warnings, [], 'the cancels logged no warnings');
  // A fresh connection: after 100 RST_STREAMs in a burst, Node's rapid-reset guard may
  // end that h2 session, which says nothing about the tunnel.
  const fresh = frontDoorClient(env.ca.certPem);
  t.teardown(() => fresh.close());
  const after = await request(`${env.frontDoorUrl}/echo`, { dispatcher: fresh, headers: { 'x-ferry-token': token }, headersTimeout: 10_000 });
  t.equal(after.statusCode, 200, 'the tunnel still serves');
  await after.body.dump();
});

void t.test('an upstream that dies mid-response resets the client', async (t) => {
  const client = frontDoorClient(env.ca.certPem);
  t.teardown(() => client.close());
  const res = await request(`${env.frontDoorUrl}/stream`, { dispatcher: client, headers: { 'x-ferry-token': token } });
  const iter = res.body[Symbol.asyncIterator]();
  await iter.next();
  upstream.server.closeAllConnections();
  const failed = await (async () => {
    try {
      for (;;) {
        const r = await iter.next();
        if (r.done) return false;
      }
    } catch {
      return true;
    }
  })();
  t.ok(failed, 'the client saw an error, not a clean end');
});

void t.test('a client killed at the TCP level (curl, h1 and h2) closes the upstream request', async (t) => {
  const { spawn } = await import('node:child_process');
  const caFile = join(env.dir, 'ca.crt');
  for (const proto of ['--http1.1', '--http2']) {
    const started = upstream.startedStreams;
    const curl = spawn(
      'curl',
      ['-sN', proto, '--cacert', caFile, '-H', `X-Ferry-Token: ${token}`, '--resolve', `localhost:${env.ports.frontDoor}:127.0.0.1`, `https://localhost:${env.ports.frontDoor}/stream`],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    const first = await Promise.race([
      new Promise<boolean>((resolve) => curl.stdout.once('data', () => resolve(true))),
      new Promise<boolean>((resolve) => curl.once('exit', () => resolve(false))),
    ]);
    t.ok(first, `${proto}: curl received the first tick`);
    t.equal(upstream.startedStreams - started, 1, `${proto}: the stream started`);
    curl.kill('SIGKILL');
    t.ok(await waitUntil(() => upstream.openStreams === 0, 5_000), `${proto}: the upstream stream closed after the kill`);
  }
});
