// A far agent's connection gets a per-stream window sized from its measured round trip,
// on the controller's side (downloads) and on the agent's (uploads); a near one keeps the
// floor (the slow-reader budget).
import { createHash } from 'node:crypto';
import * as http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import t, { type Test } from 'tap';
import { request } from 'undici';
import { HTTP2_MAX_WINDOW_BYTES, HTTP2_WINDOW_BYTES } from '../../src/tunnel/limits.js';
import { createSecureContext } from 'node:tls';
import { hostPortOf, ReceiveWindowFits } from '../../src/agent/round-trip-probe.js';
import { createCA } from '../../src/pki/certificate-authority.js';
import { fitStreamWindowToRoundTrip, windowForRoundTrip, type WindowFit } from '../../src/tunnel/rtt-window.js';
import { frontDoorClient } from '../../testkit/client.js';
import { startDelayRelay } from '../../testkit/delay-relay.js';
import { startTunnelEnv } from '../../testkit/tunnel-env.js';
import { startUpstream } from '../fixtures/upstream.js';

const MIB = 1024 * 1024;

void t.test('the window covers 1 GB/s across the round trip, within floor and ceiling', (t) => {
  t.equal(windowForRoundTrip(0.1), HTTP2_WINDOW_BYTES, 'loopback keeps the floor');
  t.equal(windowForRoundTrip(16), HTTP2_WINDOW_BYTES, '16 ms is still the floor');
  t.equal(windowForRoundTrip(50), 48 * MIB, '50 ms: 50 MB, rounded up to 48 MiB');
  t.equal(windowForRoundTrip(500), HTTP2_MAX_WINDOW_BYTES, 'a satellite link gets the ceiling');
  t.end();
});

/** An h2 server that fits its sessions' windows, reached directly or across a 50 ms relay. */
async function fittedServer(t: Test) {
  const fits: WindowFit[] = [];
  const server = http2.createServer({ settings: { initialWindowSize: HTTP2_WINDOW_BYTES } });
  server.on('session', (s) => fitStreamWindowToRoundTrip(s, (fit) => fits.push(fit)));
  // A stream that reads everything, so data sent across the link is counted.
  server.on('stream', (stream) => {
    let n = 0;
    stream.on('data', (d: Buffer) => (n += d.length));
    stream.on('end', () => {
      stream.respond({ ':status': 200 });
      stream.end(String(n));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const relay = await startDelayRelay(port);
  const sessions: http2.ClientHttp2Session[] = [];
  t.teardown(async () => {
    for (const s of sessions) s.destroy();
    await relay.close();
    await new Promise((r) => server.close(r));
  });
  const connect = (viaRelay: boolean) => {
    const s = http2.connect(`http://127.0.0.1:${viaRelay ? relay.port : port}`);
    sessions.push(s);
    return s;
  };
  return { fits, connect };
}

void t.test('a connection across 50 ms gets a larger stream window; the peer sees it in SETTINGS', async (t) => {
  const { fits, connect } = await fittedServer(t);
  const client = connect(true);
  const fitted = await new Promise<number>((resolve) => {
    client.on('remoteSettings', (s: http2.Settings) => {
      const w = s.initialWindowSize ?? 0;
      if (w > HTTP2_WINDOW_BYTES) resolve(w);
    });
  });
  t.equal(fits.length, 1, 'one fit');
  // Node's timers may fire up to a millisecond early against performance.now(): 49.9 was seen.
  t.ok(fits[0]!.rttMs >= 48, `measured round trip ${fits[0]!.rttMs.toFixed(1)} ms ≈ 50 ms`);
  t.equal(fitted, fits[0]!.windowBytes, 'the client was told the fitted window');
  t.equal(fitted, windowForRoundTrip(fits[0]!.rttMs), 'sized from the measured round trip');

  // A body larger than the floor crosses the link on one stream.
  const req = client.request({ ':method': 'POST', ':path': '/' });
  req.end(Buffer.alloc(HTTP2_WINDOW_BYTES + MIB, 7));
  let answer = '';
  req.setEncoding('utf8');
  req.on('data', (d: string) => (answer += d));
  await new Promise((r) => req.on('end', r));
  t.equal(Number(answer), HTTP2_WINDOW_BYTES + MIB, 'the server read every byte');
});

void t.test('a near connection keeps the floor', async (t) => {
  const { fits, connect } = await fittedServer(t);
  const client = connect(false);
  const settings = await new Promise<http2.Settings>((r) => client.once('remoteSettings', r));
  t.equal(settings.initialWindowSize, HTTP2_WINDOW_BYTES, 'floor window from the start');
  // Three probe pings on loopback take well under a second.
  await new Promise((r) => setTimeout(r, 500));
  t.same(fits, [], 'no refit on loopback');
  t.equal(client.remoteSettings.initialWindowSize, HTTP2_WINDOW_BYTES, 'still the floor');
});

/** A controller, an upstream, and a 50 ms relay in front of the controller's agent port. */
async function farEnv(t: Test) {
  const upstream = await startUpstream();
  const env = await startTunnelEnv();
  const relay = await startDelayRelay(env.ports.agents);
  t.teardown(async () => {
    await env.close();
    await relay.close();
    await upstream.close();
  });
  return { upstream, env, relay };
}

void t.test('the controller fits a far agent connection and logs the round trip', async (t) => {
  const { upstream, env, relay } = await farEnv(t);
  await env.startAgent('far', [{ type: 'x-echo', name: 'demo', url: upstream.url }], {
    controller: { address: `127.0.0.1:${relay.port}`, serverName: 'localhost' },
  });
  const line = await env.controller.waitForMsg('agent connection window fitted to its round trip');
  t.ok(Number(line['rttMs']) >= 50, `round trip ${String(line['rttMs'])} ms`);
  t.equal(Number(line['windowMiB']) * MIB, windowForRoundTrip(Number(line['rttMs'])), 'window from that round trip');

  // Requests still flow across the fitted connection.
  const token = await env.token('far', 'x-echo', 'demo');
  const dispatcher = frontDoorClient(env.ca.certPem);
  t.teardown(() => dispatcher.close());
  const res = await request(`${env.frontDoorUrl}/hello`, { headers: { 'X-Ferry-Token': token }, dispatcher });
  t.equal(res.statusCode, 200);
  await res.body.dump();
});

void t.test('the agent reads host and port from its controller address', (t) => {
  t.same(hostPortOf('controller.example.com:443'), { host: 'controller.example.com', port: 443 });
  t.same(hostPortOf('dns:///controller.example.com:8443'), { host: 'controller.example.com', port: 8443 });
  t.same(hostPortOf('[::1]:9443'), { host: '::1', port: 9443 });
  t.equal(hostPortOf('controller.example.com'), undefined, 'no port: no probe');
  t.equal(hostPortOf('host:0'), undefined, 'port 0: no probe');
  t.end();
});

void t.test('a far agent fits its own receive window; an upload above the floor crosses whole', async (t) => {
  const { upstream, env, relay } = await farEnv(t);
  const near = await env.startAgent('near', [{ type: 'x-echo', name: 'demo', url: upstream.url }]);
  const far = await env.startAgent('far', [{ type: 'x-echo', name: 'demo', url: upstream.url }], {
    controller: { address: `127.0.0.1:${relay.port}`, serverName: 'localhost' },
  });
  const fit = far.lines.find((l) => l.msg === 'receive window fitted to the round trip');
  t.ok(fit, 'the far agent logged its fit before connecting');
  t.ok(Number(fit?.['rttMs']) >= 48, `round trip ${String(fit?.['rttMs'])} ms ≈ 50 ms`);
  t.equal(Number(fit?.['windowMiB']) * MIB, windowForRoundTrip(Number(fit?.['rttMs'])), 'window from that round trip');
  t.notOk(near.lines.some((l) => l.msg === 'receive window fitted to the round trip'), 'the near agent keeps the floor');
  // The probe's TLS connections are not errors at the controller.
  t.notOk(env.controller.lines.some((l) => l.level === 'error' || l.level === 'warn'), 'no warning at the controller');

  const body = Buffer.alloc(HTTP2_WINDOW_BYTES + 4 * MIB, 3);
  const token = await env.token('far', 'x-echo', 'demo');
  const dispatcher = frontDoorClient(env.ca.certPem);
  t.teardown(() => dispatcher.close());
  const res = await request(`${env.frontDoorUrl}/upload`, { method: 'POST', body, headers: { 'X-Ferry-Token': token }, dispatcher });
  t.equal(res.statusCode, 200);
  const got = (await res.body.json()) as { bytes: number; sha256: string };
  t.same(got, { bytes: body.length, sha256: createHash('sha256').update(body).digest('hex') }, 'every byte, in order');
});

void t.test("one probe serves an agent's dials for a while: a balancer's turns are not spent on probes", async (t) => {
  const ca = await createCA();
  const server = await ca.issueServer({ dnsNames: ['localhost'] });
  const client = await ca.issueClient({ kind: 'agent', agent: 'probe' });
  let connections = 0;
  const h2 = http2.createSecureServer({ ca: ca.certPem, cert: server.certPem, key: server.keyPem, requestCert: true, rejectUnauthorized: true });
  h2.on('connection', () => connections++);
  await new Promise<void>((r) => h2.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise((r) => h2.close(r)));
  const address = `127.0.0.1:${(h2.address() as AddressInfo).port}`;
  const secureContext = createSecureContext({ ca: ca.certPem, cert: client.certPem, key: client.keyPem });

  const fits = new ReceiveWindowFits();
  const [a, b] = await Promise.all([fits.windowFor(address, 'localhost', secureContext), fits.windowFor(address, 'localhost', secureContext)]);
  const c = await fits.windowFor(address, 'localhost', secureContext);
  t.equal(connections, 1, 'two concurrent dials and a later one: one probe connection');
  t.equal(a.windowBytes, HTTP2_WINDOW_BYTES, 'loopback: the floor');
  t.ok(a.rttMs !== undefined && a === b && b === c, 'the same measured fit for each');

  const stale = new ReceiveWindowFits(0);
  await stale.windowFor(address, 'localhost', secureContext);
  await stale.windowFor(address, 'localhost', secureContext);
  t.equal(connections, 3, 'a stale fit is measured again');

  // A probe that measured nothing (a client the server refuses) is not kept: the next dial probes again.
  const stranger = await createCA();
  const refused = createSecureContext({ ca: stranger.certPem });
  const failing = new ReceiveWindowFits();
  t.same(await failing.windowFor(address, 'localhost', refused), { windowBytes: HTTP2_WINDOW_BYTES }, 'no round trip: the floor');
  await failing.windowFor(address, 'localhost', refused);
  t.equal(connections, 5, 'each dial probed again');
});
