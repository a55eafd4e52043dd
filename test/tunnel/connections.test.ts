// Clients that hang up (after a response, or in the middle of one) leave nothing open in
// the controller: its file descriptors come back to where they were.
import { readdirSync } from 'node:fs';
import { connect } from 'node:tls';
import t from 'tap';
import { waitUntil } from '../../testkit/metrics.js';
import { startTunnelEnv } from '../../testkit/tunnel-env.js';
import { startUpstream } from '../fixtures/upstream.js';

const upstream = await startUpstream();
const env = await startTunnelEnv();
await env.startAgent('a1', [{ type: 'x-echo', name: 'demo', url: upstream.url }]);
const token = await env.token('a1', 'x-echo', 'demo');
t.teardown(async () => {
  await env.close();
  await upstream.close();
});

const fds = () => readdirSync(`/proc/${env.controller.child.pid}/fd`).length;

/** One HTTP/1.1 keep-alive request on a fresh TLS connection, then the client hangs up. */
function oneRequest(hangUp: 'end' | 'close-after' | 'destroy-early'): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port: env.ports.frontDoor, ca: env.ca.certPem, servername: 'localhost', ALPNProtocols: ['http/1.1'] }, () => {
      socket.write(`GET /x HTTP/1.1\r\nHost: localhost\r\nX-Ferry-Token: ${token}\r\n\r\n`);
      if (hangUp === 'destroy-early') socket.destroy();
    });
    socket.on('data', (d: Buffer) => {
      if (!d.includes('\r\n\r\n')) return;
      // After the answer: a polite FIN, or an abrupt close (Go's idle-connection cleanup).
      if (hangUp === 'close-after') socket.destroy();
      else socket.end();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve());
  });
}

void t.test('300 clients that hang up leave no descriptor behind', async (t) => {
  const before = fds();
  for (let round = 0; round < 6; round++) {
    await Promise.all(Array.from({ length: 50 }, (_, i) => oneRequest(i % 5 === 0 ? 'destroy-early' : i % 2 === 0 ? 'close-after' : 'end')));
  }
  t.ok(await waitUntil(() => fds() <= before + 10, 5_000), `controller descriptors back near ${before} (now ${fds()})`);
});
