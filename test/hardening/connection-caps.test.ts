// The front door's connection caps (issue 17): per client address (429) and in all (503),
// each refusal a readable answer on h1 and h2; meanwhile a client's existing connection
// keeps being served through the agent, the control API answers (its own listener, its
// own limits), and a freed slot is usable again.
import * as http2 from 'node:http2';
import { request as httpsRequest } from 'node:https';
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import t, { type Test } from 'tap';
import { request } from 'undici';
import { frontDoorClient } from '../../testkit/client.js';
import { exchange, openTls } from '../../testkit/raw-tls.js';
import { startTunnelEnv } from '../../testkit/tunnel-env.js';
import { startUpstream } from '../fixtures/upstream.js';

const upstream = await startUpstream();
const env = await startTunnelEnv({ frontDoor: { listen: '127.0.0.1:0', limits: { maxConnections: 8, maxConnectionsPerAddress: 4 } } });
await env.startAgent('a1', [{ type: 'x-echo', name: 'demo', url: upstream.url }]);
const token = await env.token('a1', 'x-echo', 'demo');
const port = env.ports.frontDoor;
const controlPort = Number((await env.controller.waitForMsg('controller started')).control);
const client = frontDoorClient(env.ca.certPem);
const held: TLSSocket[] = [];

t.teardown(async () => {
  for (const s of held) s.destroy();
  await client.close();
  await env.close();
  await upstream.close();
});

const get = (path: string) => `GET ${path} HTTP/1.1\r\nHost: localhost\r\nX-Ferry-Token: ${token}\r\n\r\n`;

async function viaClient(path: string): Promise<number> {
  const res = await request(`${env.frontDoorUrl}${path}`, { dispatcher: client, headers: { 'x-ferry-token': token } });
  await res.body.dump();
  return res.statusCode;
}

async function hold(t: Test, n: number, localAddress: string): Promise<void> {
  for (let i = 0; i < n; i++) {
    const s = await openTls(port, { localAddress });
    // A request on each, so that the server has surely counted it.
    t.equal((await exchange(s, get('/held'))).status, 200, `held connection ${i + 1} from ${localAddress} served`);
    held.push(s);
  }
}

async function h2Status(localAddress: string): Promise<{ status: number; body: string; closed: Promise<void> }> {
  const session = http2.connect(`https://127.0.0.1:${port}`, {
    createConnection: () => tlsConnect({ socket: netConnect({ port, host: '127.0.0.1', localAddress }), servername: 'localhost', rejectUnauthorized: false, ALPNProtocols: ['h2'] }),
  });
  session.on('error', () => undefined);
  const closed = new Promise<void>((r) => session.once('close', () => r()));
  return new Promise((resolve) => {
    const r = session.request({ ':path': '/h2', 'x-ferry-token': token });
    let body = '';
    let status = 0;
    r.on('response', (h) => (status = Number(h[':status'])));
    r.on('data', (d: Buffer) => (body += d.toString()));
    r.on('close', () => resolve({ status, body, closed }));
    r.on('error', () => undefined);
  });
}

void t.test('per client address: the surplus is answered 429 and closed', async (t) => {
  t.equal(await viaClient('/first'), 200, 'a keep-alive client is served');
  await hold(t, 3, '127.0.0.1');
  const extra = await openTls(port, { localAddress: '127.0.0.1' });
  const res = await exchange(extra, get('/extra'));
  t.equal(res.status, 429, 'the fifth connection from 127.0.0.1 is refused');
  t.match(res.body, /FERRY_ERR_RATE_LIMITED/);
  t.match(res.body, /too many connections from 127\.0\.0\.1: at most 4 at once/);
  t.match(res.head, /\r\nconnection: close/i);
  const h2 = await h2Status('127.0.0.1');
  t.equal(h2.status, 429, 'an h2 session over the cap too');
  await h2.closed;
  t.pass('and its session is closed');
  t.equal(await viaClient('/still'), 200, 'the client holding a connection keeps being served through the agent');
  const log = env.controller.lines.find((l) => l.msg === 'front door: connection refused');
  t.match(log?.reason, /too many connections from 127\.0\.0\.1/, 'the refusal is logged');
});

void t.test('in all: the surplus is answered 503; the control API still answers', async (t) => {
  await hold(t, 4, '127.0.0.2');
  const extra = await openTls(port, { localAddress: '127.0.0.3' });
  const res = await exchange(extra, get('/extra'));
  t.equal(res.status, 503, 'the ninth connection is refused');
  t.match(res.body, /too many connections: the front door holds its limit of 8/);
  const h2 = await h2Status('127.0.0.3');
  t.equal(h2.status, 503, 'over h2 as well');
  t.match(h2.body, /FERRY_ERR_UNAVAILABLE/);

  t.equal(await viaClient('/still'), 200, 'an existing connection is still served');
  const control = await new Promise<number>((resolve, reject) => {
    const r = httpsRequest({ host: '127.0.0.1', port: controlPort, path: '/api/v1/agents', ca: env.ca.certPem, servername: 'localhost' }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    r.on('error', reject);
    r.end();
  });
  t.equal(control, 401, 'the control API answers (and asks for credentials)');

  held.pop()!.destroy();
  const deadline = Date.now() + 5_000;
  let status = 0;
  while (Date.now() < deadline) {
    const s = await openTls(port, { localAddress: '127.0.0.3' });
    status = (await exchange(s, get('/freed'))).status;
    s.destroy();
    if (status === 200) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  t.equal(status, 200, 'a freed slot is usable again');
});
