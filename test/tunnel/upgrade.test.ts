// HTTP Upgrade through the tunnel: a WebSocket echo with large messages, a raw duplex
// with half-close, and a refused upgrade whose status comes back untouched.
import { connect } from 'node:tls';
import { randomBytes } from 'node:crypto';
import t from 'tap';
import WebSocket from 'ws';
import { startTunnelEnv } from '../../testkit/tunnel-env.js';
import { startUpstream } from '../fixtures/upstream.js';

const upstream = await startUpstream();
const env = await startTunnelEnv();
await env.startAgent('a1', [{ type: 'x-ws', name: 'echo', url: upstream.url }]);
const token = await env.token('a1', 'x-ws', 'echo');
t.teardown(async () => {
  await env.close();
  await upstream.close();
});

void t.test('WebSocket echo with messages up to 16 MiB', async (t) => {
  const ws = new WebSocket(`wss://127.0.0.1:${env.ports.frontDoor}/ws`, {
    ca: env.ca.certPem,
    servername: 'localhost',
    headers: { 'x-ferry-token': token },
    maxPayload: 64 * 1024 * 1024,
  } as WebSocket.ClientOptions);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  for (const size of [10, 64 * 1024, 1024 * 1024, 16 * 1024 * 1024]) {
    const msg = randomBytes(size);
    const echoed = await new Promise<Buffer>((resolve) => {
      ws.once('message', (d) => resolve(d as Buffer));
      ws.send(msg);
    });
    t.ok(echoed.equals(msg), `${size} bytes echoed intact`);
  }
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  ws.close(1000);
  t.equal(await closed, 1000, 'clean close handshake');
  const seen = upstream.requests.find((r) => r.url === '/ws');
  t.ok(seen?.headers['sec-websocket-key'], 'Sec-WebSocket-Key reached the upstream');
  t.notOk(seen?.headers['x-ferry-token'], 'the ferry token did not');
});

function rawUpgrade(path: string, proto: string): Promise<{ head: string; socket: ReturnType<typeof connect>; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: env.ports.frontDoor, ca: env.ca.certPem, servername: 'localhost', ALPNProtocols: ['http/1.1'] }, () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: localhost\r\nUpgrade: ${proto}\r\nConnection: Upgrade\r\nX-Ferry-Token: ${token}\r\n\r\n`);
    });
    let buf = Buffer.alloc(0);
    const onData = (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      resolve({ head: buf.subarray(0, end).toString(), socket, rest: buf.subarray(end + 4) });
    };
    socket.on('data', onData);
    socket.once('error', reject);
  });
}

void t.test('raw upgraded duplex with half-close both ways', async (t) => {
  const { head, socket, rest } = await rawUpgrade('/raw', 'x-echo');
  t.match(head, /^HTTP\/1\.1 101 /);
  const chunks: Buffer[] = [rest];
  const ended = new Promise<void>((resolve) => socket.on('end', resolve));
  socket.on('data', (d: Buffer) => chunks.push(d));
  const payload = randomBytes(3 * 1024 * 1024);
  socket.write(payload);
  socket.end(); // half-close: we are done sending, still reading
  await ended;
  const got = Buffer.concat(chunks);
  t.ok(got.subarray(0, payload.length).equals(payload), 'every byte echoed after our half-close');
  t.equal(got.subarray(payload.length).toString(), 'bye', 'the upstream still talked after our half-close');
});

void t.test('a refused upgrade comes back with the upstream status', async (t) => {
  const { head, socket } = await rawUpgrade('/nope', 'SPDY/3.1');
  t.match(head, /^HTTP\/1\.1 400 /);
  socket.destroy();
  const spdy = upstream.requests.find((r) => r.url === '/nope');
  t.equal(spdy?.headers.upgrade, 'SPDY/3.1', 'the Upgrade header reached the upstream intact');
});
