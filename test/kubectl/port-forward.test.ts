// kubectl port-forward through ferry: the WebSocket upgrade with the
// `SPDY/3.1+portforward.k8s.io` subprotocol (which a proxy letting `ws` negotiate would
// refuse) carries HTTP requests to a port "behind the pod" byte for byte.
import { randomBytes } from 'node:crypto';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { KUBE_TOKEN, kubectlLong, sha, startKubectlEnv, until } from './kubectl-env.js';

// The pod's port: answers with the path and a hash of the body it received.
const web = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => res.end(`${req.method} ${req.url} ${sha(Buffer.concat(chunks))}`));
});
await new Promise<void>((r) => web.listen(0, '127.0.0.1', r));
t.teardown(() => void web.close());
const webPort = (web.address() as AddressInfo).port;
const env = await startKubectlEnv(t, {
  stand: { portForwardTarget: (_ns, _pod, port) => ({ host: '127.0.0.1', port: port === 8080 ? webPort : 1 }) },
});

function call(port: number, method: string, path: string, body?: Buffer): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, agent: false, headers: body ? { 'content-length': body.length } : {} }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

void t.test('port-forward carries HTTP to a port behind the pod', async (t) => {
  const pf = kubectlLong(env, ['port-forward', '--address', '127.0.0.1', 'pod/web', ':8080']);
  t.teardown(() => void pf.child.kill('SIGKILL'));
  await pf.waitFor(' -> 8080');
  const local = Number(/Forwarding from 127\.0\.0\.1:(\d+) -> 8080/.exec(pf.output())?.[1]);
  t.ok(local > 0, `kubectl listens on ${local}`);

  const get = await call(local, 'GET', '/hello?x=1');
  t.equal(get.status, 200);
  t.equal(get.text, `GET /hello?x=1 ${sha(Buffer.alloc(0))}`);

  const big = randomBytes(5 * 1024 * 1024);
  const started = Date.now();
  const post = await call(local, 'POST', '/upload', big);
  t.comment(`5 MiB POST through port-forward through ferry: ${Date.now() - started} ms`);
  t.equal(post.text, `POST /upload ${sha(big)}`, 'request body arrived byte for byte');

  // Several connections over the one forward, at once.
  const many = await Promise.all([1, 2, 3, 4].map((i) => call(local, 'GET', `/c${i}`)));
  t.same(many.map((r) => r.text.split(' ')[1]), ['/c1', '/c2', '/c3', '/c4']);

  const upgrade = env.kube.requests.find((r) => r.path.includes('/pods/web/portforward'));
  t.equal(upgrade?.upgrade?.toLowerCase(), 'websocket');
  t.equal(upgrade?.headers['sec-websocket-protocol'], 'SPDY/3.1+portforward.k8s.io', 'subprotocol reached the upstream intact');
  t.equal(upgrade?.headers.authorization, `Bearer ${KUBE_TOKEN}`);
  t.equal(env.kube.spdyUpgrades.length, 0, 'no fallback to a SPDY upgrade');

  pf.child.kill('SIGKILL');
  await pf.exited;
  await until(() => env.kube.openWebSockets === 0, 10_000, 'upstream WebSocket closed after kubectl died');
  t.equal(env.kube.openWebSockets, 0);
});
