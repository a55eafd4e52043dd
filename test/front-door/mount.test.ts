// Mounting local handlers on a running front door (through its mount() method), over real
// HTTPS h1 and h2; upgrades to a local path; mount conflicts.
import t from 'tap';
import { connect } from 'node:tls';
import { request } from 'undici';
import { startFrontDoor, type LocalHandler } from '../../src/controller/front-door/index.js';
import { SessionRegistry } from '../../src/controller/session-registry.js';
import { createCA } from '../../src/pki/index.js';
import { frontDoorClient } from '../../testkit/client.js';

const ca = await createCA();
const server = await ca.issueServer({ dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
const frontDoor = await startFrontDoor({
  host: '127.0.0.1',
  port: 0,
  certPem: server.certPem,
  keyPem: server.keyPem,
  caPem: ca.certPem,
  registry: new SessionRegistry(),
  authenticators: [],
  log: () => undefined,
});
t.teardown(() => frontDoor.close(1_000));
const url = `https://127.0.0.1:${frontDoor.port}`;

let served = 0;
const ping: LocalHandler = {
  path: '/ping',
  needsCaller: false,
  handle(_req, res) {
    served++;
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('pong');
  },
};
// Upgrades too: answers 101 then echoes one line.
const echoUpgrade: LocalHandler = {
  path: '/echo',
  needsCaller: false,
  handle: () => undefined,
  upgrade(_req, socket) {
    socket.write('HTTP/1.1 101 Switching Protocols\r\nconnection: upgrade\r\nupgrade: echo\r\n\r\n');
    socket.once('data', (chunk: Buffer) => socket.end(chunk));
  },
};

/** One raw HTTP/1.1 upgrade request; resolves with all the server sent. */
function rawUpgrade(path: string, send?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: frontDoor.port, ca: ca.certPem, servername: 'localhost', ALPNProtocols: ['http/1.1'] }, () => {
      socket.write(`GET ${path} HTTP/1.1\r\nhost: localhost\r\nconnection: upgrade\r\nupgrade: echo\r\n\r\n`);
    });
    let got = '';
    socket.on('data', (chunk: Buffer) => {
      got += chunk.toString('utf8');
      if (send !== undefined && got.includes('\r\n\r\n') && got.startsWith('HTTP/1.1 101')) {
        socket.write(send);
        send = undefined;
      }
    });
    socket.on('end', () => resolve(got));
    socket.on('error', reject);
  });
}

for (const h2 of [false, true]) {
  void t.test(`${h2 ? 'h2' : 'HTTP/1.1'}: mount, serve, unmount`, async (t) => {
    const client = frontDoorClient(ca.certPem, { h2 });
    t.teardown(() => client.close());
    const before = await request(`${url}/ping`, { dispatcher: client });
    t.equal(before.statusCode, 401, 'not mounted yet: the pipeline wants a caller');
    await before.body.dump();

    frontDoor.mount(ping);
    const res = await request(`${url}/ping`, { dispatcher: client });
    t.equal(res.statusCode, 200);
    t.equal(await res.body.text(), 'pong');

    frontDoor.unmount(ping);
    const after = await request(`${url}/ping`, { dispatcher: client });
    t.equal(after.statusCode, 401, 'unmounted: back to the pipeline');
    await after.body.dump();
  });
}

void t.test('a local handler that needs a caller, with no authenticator that accepts one', async (t) => {
  const secret: LocalHandler = { path: '/secret', needsCaller: true, handle: () => void t.fail('must not be called') };
  frontDoor.mount(secret);
  t.teardown(() => frontDoor.unmount(secret));
  const client = frontDoorClient(ca.certPem);
  t.teardown(() => client.close());
  const res = await request(`${url}/secret`, { dispatcher: client });
  t.equal(res.statusCode, 401);
  t.match(await res.body.json(), { error: { code: 'FERRY_ERR_UNAUTHENTICATED' } });
});

void t.test('upgrades: a local handler takes one; a handler without upgrade() answers 501', async (t) => {
  frontDoor.mount(echoUpgrade);
  frontDoor.mount(ping);
  t.teardown(() => {
    frontDoor.unmount(echoUpgrade);
    frontDoor.unmount(ping);
  });
  const echoed = await rawUpgrade('/echo', 'hello\n');
  t.match(echoed, /^HTTP\/1\.1 101 /);
  t.match(echoed, /\r\n\r\nhello\n$/);
  const refused = await rawUpgrade('/ping');
  t.match(refused, /^HTTP\/1\.1 501 /);
  t.match(refused, /FERRY_ERR_NOT_IMPLEMENTED/);
});

void t.test('mount conflicts and bad paths are refused', (t) => {
  frontDoor.mount(ping);
  t.teardown(() => frontDoor.unmount(ping));
  t.throws(() => frontDoor.mount({ ...ping }), { code: 'FERRY_ERR_EXISTS' });
  t.throws(() => frontDoor.mount({ ...ping, path: 'ping' }), { code: 'FERRY_ERR_BAD_CONFIG' });
  const other: LocalHandler = { ...ping, path: '/ping', host: 'status.example' };
  frontDoor.mount(other);
  frontDoor.unmount(other);
  t.pass('the same path on a named host is another mount');
  t.ok(served >= 2);
  t.end();
});
