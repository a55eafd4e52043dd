// Secrets never reach a log line of either process, even with every debug switch on
// (FERRY_DEBUG=*): a JWT presented at the front door (Bearer, X-Ferry-Token, Basic
// password, and a tampered copy that is refused), a cookie the client forwards, and the
// agent's service credential (the client key it presents to an mTLS upstream).
import t from 'tap';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import { connect } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { request } from 'undici';
import { frontDoorClient } from '../../testkit/client.js';
import { startTunnelEnv } from '../../testkit/tunnel-env.js';

// Inherited by every ferry process the helpers spawn.
process.env['FERRY_DEBUG'] = '*';

const env = await startTunnelEnv();
const upstreamServer = await env.ca.issueServer({ dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
const serviceCredential = await env.ca.issueClient({ kind: 'agent', agent: 'upstream-client' });
await writeFile(join(env.dir, 'upstream-client.crt'), serviceCredential.certPem);
await writeFile(join(env.dir, 'upstream-client.key'), serviceCredential.keyPem, { mode: 0o600 });

// An upstream that only talks to clients holding the service credential.
const upstream: Server = createServer(
  { cert: upstreamServer.certPem, key: upstreamServer.keyPem, ca: env.ca.certPem, requestCert: true, rejectUnauthorized: true },
  (req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': `upstream=${req.headers.cookie ?? ''}` });
    res.end(JSON.stringify({ clientAuthorized: (req.socket as TLSSocket).authorized, cookie: req.headers.cookie }));
  },
);
await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
const upstreamPort = (upstream.address() as AddressInfo).port;

const agent = await env.startAgent('quiet', [
  {
    type: 'x-secure',
    name: 'api',
    url: `https://127.0.0.1:${upstreamPort}`,
    tls: { caFile: join(env.dir, 'ca.crt'), certFile: join(env.dir, 'upstream-client.crt'), keyFile: join(env.dir, 'upstream-client.key'), serverName: 'localhost' },
  },
]);
t.teardown(async () => {
  await env.close();
  upstream.closeAllConnections();
  await new Promise((resolve) => upstream.close(resolve));
});

void t.test('no log line of either process carries a token, cookie or service key', async (t) => {
  const token = await env.token('quiet', 'x-secure', 'api');
  const [head, payload, signature] = token.split('.') as [string, string, string];
  const tampered = `${head}.${payload}.${signature.slice(0, -4)}${signature.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
  const cookie = `session=${randomBytes(24).toString('hex')}`;
  const client = frontDoorClient(env.ca.certPem);
  t.teardown(() => client.close());

  const variants: Record<string, string>[] = [
    { authorization: `Bearer ${token}`, cookie },
    { 'x-ferry-token': token, cookie },
    { authorization: `Basic ${Buffer.from(`api.quiet:${token}`).toString('base64')}`, cookie },
  ];
  for (const headers of variants) {
    const res = await request(`${env.frontDoorUrl}/secret-path`, { dispatcher: client, headers });
    t.equal(res.statusCode, 200, Object.keys(headers).join(', '));
    t.same(await res.body.json(), { clientAuthorized: true, cookie }, 'the upstream saw the service credential and the cookie');
  }
  const refused = await request(`${env.frontDoorUrl}/x`, { dispatcher: client, headers: { authorization: `Bearer ${tampered}` } });
  t.equal(refused.statusCode, 401, 'a tampered token is refused');
  await refused.body.dump();
  // Garbage instead of a TLS handshake: makes the front door log at debug, proving debug is on.
  await new Promise<void>((resolve) => {
    const sock = connect(env.ports.frontDoor, '127.0.0.1', () => sock.end('GET / HTTP/1.1\r\n\r\n'));
    sock.on('close', () => resolve());
    sock.on('error', () => resolve());
  });

  await env.controller.waitFor((l) => l.level === 'debug', 5_000);
  t.ok(await agent.waitForMsg('connected to controller'), 'agent logged');
  t.equal(await agent.stop('SIGTERM'), 0, 'agent stops cleanly (its shutdown lines are checked too)');

  const keyBody = serviceCredential.keyPem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  const secrets: Record<string, string> = {
    'the JWT': token,
    'the JWT signature': signature,
    'the tampered JWT signature': tampered.split('.')[2]!,
    'the Basic password': Buffer.from(`api.quiet:${token}`).toString('base64'),
    'the cookie value': cookie.split('=')[1]!,
    'the service key (start)': keyBody.slice(0, 32),
    'the service key (end)': keyBody.slice(-32),
  };
  const logs = { controller: env.controller.raw, agent: agent.raw };
  for (const [program, lines] of Object.entries(logs)) {
    t.ok(lines.length > 3, `${program} wrote ${lines.length} lines`);
    t.ok(lines.some((l) => l.includes('"level":"debug"')), `${program} logged at debug`);
    for (const [what, secret] of Object.entries(secrets)) {
      const leaks = lines.filter((l) => l.includes(secret));
      t.same(leaks, [], `${what} is in no ${program} log line`);
    }
  }
  t.ok(env.controller.raw.some((l) => l.includes('authentication refused')), 'the refusal was logged, without the token');
});
