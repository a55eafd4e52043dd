// Front-door limits against real sockets (issue 17): a slowloris head, a connection that
// never handshakes, an idle TLS connection, an idle keep-alive connection, and HTTP/2
// sessions that never authenticate — each closed by its configured time — while a
// watch-like response and an authenticated h2 stream, quiet but busy, stay open.
import * as http2 from 'node:http2';
import t from 'tap';
import { closedWithin, exchange, openTcp, openTls } from '../../testkit/raw-tls.js';
import { startTickingStream } from '../../testkit/ticking-stream.js';
import { startTunnelEnv } from '../../testkit/tunnel-env.js';
import { startUpstream } from '../fixtures/upstream.js';

const limits = { headersTimeout: '1s', idleTimeout: '1500ms', handshakeTimeout: '1s', h2AuthTimeout: '1s' };
const upstream = await startUpstream();
const env = await startTunnelEnv({ frontDoor: { listen: '127.0.0.1:0', limits } });
await env.startAgent('a1', [
  { type: 'x-echo', name: 'demo', url: upstream.url },
  { type: 'x-stream', name: 'ticks', url: upstream.url },
]);
const token = await env.token('a1', 'x-echo', 'demo');
const streamToken = await env.token('a1', 'x-stream', 'ticks');
const port = env.ports.frontDoor;
// Slack for a loaded 2-core machine: the sweep runs every 250 ms here.
const SLACK = 2_500;

const long = await startTickingStream(env.frontDoorUrl, env.ca.certPem, streamToken);
t.teardown(async () => {
  await long.stop();
  await env.close();
  await upstream.close();
});

void t.test('a request head sent one byte at a time is cut at headersTimeout with 408', async (t) => {
  const s = await openTls(port);
  s.write('GET /hello HTTP/1.1\r\nHost: localhost\r\n');
  const dribble = setInterval(() => s.writable && s.write('x'), 100);
  const closed = await closedWithin(s, 1_000 + SLACK);
  clearInterval(dribble);
  t.ok(closed.ms >= 800, `not before the timeout (${closed.ms} ms)`);
  t.match(closed.text, /^HTTP\/1\.1 408 /, '408 Request Timeout');
  t.match(closed.text, /FERRY_ERR_REQUEST_TIMEOUT/);
});

void t.test('a TCP connection that never starts TLS is closed at handshakeTimeout', async (t) => {
  const s = await openTcp(port);
  const closed = await closedWithin(s, 1_000 + SLACK);
  t.ok(closed.ms >= 800, `closed after ${closed.ms} ms`);
});

void t.test('a TLS connection that never sends a request is closed', async (t) => {
  const s = await openTls(port);
  const closed = await closedWithin(s, 1_500 + SLACK);
  t.ok(closed.ms >= 800, `closed after ${closed.ms} ms`);
});

void t.test('a keep-alive connection with no request in flight is closed at idleTimeout', async (t) => {
  const s = await openTls(port);
  const res = await exchange(s, `GET /hello HTTP/1.1\r\nHost: localhost\r\nX-Ferry-Token: ${token}\r\n\r\n`);
  t.equal(res.status, 200, `the request is served: ${res.head}`);
  const closed = await closedWithin(s, 1_500 + SLACK);
  t.ok(closed.ms >= 1_200, `closed after ${closed.ms} ms idle`);
});

void t.test('HTTP/2 sessions that authenticate no stream are closed; one carrying a stream stays', async (t) => {
  const idle = http2.connect(`https://127.0.0.1:${port}`, { rejectUnauthorized: false, servername: 'localhost' });
  idle.on('error', () => undefined);
  const refusedOnly = http2.connect(`https://127.0.0.1:${port}`, { rejectUnauthorized: false, servername: 'localhost' });
  refusedOnly.on('error', () => undefined);
  const status = await new Promise<number>((resolve) => {
    const r = refusedOnly.request({ ':path': '/hello' });
    r.on('response', (h) => resolve(Number(h[':status'])));
    r.on('error', () => resolve(0));
    r.resume();
  });
  t.equal(status, 401, 'a stream without credentials is refused');

  const busy = http2.connect(`https://127.0.0.1:${port}`, { rejectUnauthorized: false, servername: 'localhost' });
  busy.on('error', () => undefined);
  let ticks = 0;
  const watch = busy.request({ ':path': '/stream', 'x-ferry-token': streamToken });
  watch.on('data', () => ticks++);
  watch.on('error', () => undefined);

  const start = Date.now();
  const gone = (s: http2.ClientHttp2Session) => new Promise<number>((resolve) => s.once('close', () => resolve(Date.now() - start)));
  const [idleMs, refusedMs] = await Promise.all([gone(idle), gone(refusedOnly)]);
  t.ok(idleMs < 1_000 + SLACK, `a session with no stream closed after ${idleMs} ms`);
  t.ok(refusedMs < 1_000 + SLACK, `a session whose only stream was refused closed after ${refusedMs} ms`);

  // Past both the auth and the idle timeout: the authenticated watch still flows.
  await new Promise((r) => setTimeout(r, 1_800));
  const before = ticks;
  await new Promise((r) => setTimeout(r, 600));
  t.ok(ticks > before, 'the authenticated h2 watch still flows');
  t.notOk(busy.closed || busy.destroyed, 'its session is open');
  watch.close();
  busy.close();
});

void t.test('the long h1 response was never cut', async (t) => {
  const before = long.ticks;
  await new Promise((r) => setTimeout(r, 600));
  t.ok(long.ticks > before, 'still ticking');
  t.equal(long.error, undefined, 'never broke');
});
