// Bad input at the front door (issue 3): certificates from another CA, expired or of
// the wrong kind; forged, expired and mis-addressed JWTs; no credentials; 1 MB of
// headers. Each is refused with a stable code, a JSON body and a logged reason, while
// a long response through the same controller keeps flowing.
import * as http2 from 'node:http2';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import t, { type Test } from 'tap';
import { request, type Dispatcher } from 'undici';
import { createCA } from '../../src/pki/index.js';
import { controlAudience, serviceAudience } from '../../src/tokens/index.js';
import { frontDoorClient } from '../../testkit/client.js';
import { startTickingStream } from '../../testkit/ticking-stream.js';
import { openTokenForge } from '../../testkit/forged-tokens.js';
import { watchLog } from '../../testkit/log-watch.js';
import { startTunnelEnv } from '../../testkit/tunnel-env.js';
import { startUpstream } from '../fixtures/upstream.js';

const upstream = await startUpstream();
const env = await startTunnelEnv();
await env.startAgent('a1', [
  { type: 'x-echo', name: 'demo', url: upstream.url },
  { type: 'x-stream', name: 'ticks', url: upstream.url },
]);
const route = { agent: 'a1', type: 'x-echo', name: 'demo' };
const goodToken = await env.token('a1', 'x-echo', 'demo');
const forge = await openTokenForge(env.dir, `ferry:${env.ca.trustDomain}`);
const plain = frontDoorClient(env.ca.certPem);

// A watch-like response that must keep ticking through every refusal below.
const long = await startTickingStream(env.frontDoorUrl, env.ca.certPem, await env.token('a1', 'x-stream', 'ticks'));

t.teardown(async () => {
  await long.stop();
  await plain.close();
  await env.close();
  await upstream.close();
});

async function pemFiles(name: string, issued: { certPem: string; keyPem: string }): Promise<{ cert: string; key: string }> {
  const cert = join(env.dir, `${name}.crt`);
  const key = join(env.dir, `${name}.key`);
  await writeFile(cert, issued.certPem);
  await writeFile(key, issued.keyPem, { mode: 0o600 });
  return { cert, key };
}

interface Refusal {
  status: number;
  code: string;
  /** Matched against both the JSON message and the logged reason. */
  reason: RegExp;
}

/** The response is the JSON refusal, and the controller logged why. */
async function expectRefused(t: Test, res: Dispatcher.ResponseData, want: Refusal, log: ReturnType<typeof watchLog>): Promise<void> {
  t.equal(res.statusCode, want.status, 'status');
  t.match(res.headers['content-type'], /^application\/json/);
  const body = (await res.body.json()) as { error?: { code?: string; message?: string } };
  t.equal(body.error?.code, want.code, 'stable error code');
  t.match(body.error?.message, want.reason, 'message says why');
  if (want.status === 401) t.match(res.headers['www-authenticate'], /^Bearer realm="ferry"/, 'www-authenticate names the scheme');
  const line = await log.next((l) => l.msg === 'front door: authentication refused');
  t.equal(line.level, 'warn');
  t.match(line.reason, want.reason, 'logged reason');
  t.equal(line.path, '/refused', 'logged path');
  t.notMatch(JSON.stringify(log.since()), goodToken, 'no token in the log');
}

/** Nothing else was disturbed: the long response still ticks and a good request works. */
async function expectStillServing(t: Test): Promise<void> {
  const before = long.ticks;
  const res = await request(`${env.frontDoorUrl}/after`, { dispatcher: plain, headers: { 'x-ferry-token': goodToken } });
  t.equal(res.statusCode, 200, 'a good request right after is served');
  await res.body.dump();
  const deadline = Date.now() + 2_000;
  while (long.ticks <= before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  t.ok(long.ticks > before, 'the long response keeps flowing');
  t.equal(long.error, undefined, 'the long response never broke');
}

async function get(headers: Record<string, string>, dispatcher: Dispatcher = plain): Promise<Dispatcher.ResponseData> {
  return request(`${env.frontDoorUrl}/refused`, { dispatcher, headers });
}

void t.test('client certificates', async (t) => {
  const otherCa = await createCA();
  const cases: { name: string; files: () => Promise<{ cert: string; key: string }>; want: Refusal }[] = [
    {
      name: 'a service certificate from another CA',
      files: async () => pemFiles('other-ca', await otherCa.issueClient({ kind: 'service', ...route })),
      want: { status: 401, code: 'FERRY_ERR_CERT', reason: /client certificate refused: not issued by this CA/ },
    },
    {
      name: 'an expired service certificate',
      files: async () =>
        pemFiles(
          'expired',
          await env.ca.issueClient(
            { kind: 'service', ...route },
            { notBefore: new Date(Date.now() - 2 * 86_400_000), notAfter: new Date(Date.now() - 86_400_000) },
          ),
        ),
      want: { status: 401, code: 'FERRY_ERR_CERT', reason: /client certificate refused: certificate expired/ },
    },
    {
      name: 'a certificate not yet valid',
      files: async () =>
        pemFiles(
          'future',
          await env.ca.issueClient(
            { kind: 'service', ...route },
            { notBefore: new Date(Date.now() + 86_400_000), notAfter: new Date(Date.now() + 2 * 86_400_000) },
          ),
        ),
      want: { status: 401, code: 'FERRY_ERR_CERT', reason: /client certificate refused: certificate not yet valid/ },
    },
    {
      name: 'a server certificate used as a client certificate',
      files: async () => pemFiles('server-purpose', await env.ca.issueServer({ dnsNames: ['evil.example'] })),
      want: { status: 401, code: 'FERRY_ERR_CERT', reason: /client certificate refused: wrong purpose/ },
    },
    {
      name: 'an agent certificate',
      files: async () => pemFiles('agent-at-door', await env.ca.issueClient({ kind: 'agent', agent: 'a1' })),
      want: { status: 403, code: 'FERRY_ERR_FORBIDDEN', reason: /agent certificate does not name a service route/ },
    },
    {
      name: 'a control certificate',
      files: async () => pemFiles('control-at-door', await env.ca.issueClient({ kind: 'control', name: 'ops' })),
      want: { status: 403, code: 'FERRY_ERR_FORBIDDEN', reason: /control certificate does not name a service route/ },
    },
  ];
  for (const c of cases) {
    for (const h2 of [false, true]) {
      await t.test(`${c.name} (${h2 ? 'h2' : 'HTTP/1.1'})`, async (t) => {
        // Client certificates are optional, so TLS completes; the request is what gets refused.
        const client = frontDoorClient(env.ca.certPem, { ...(await c.files()), h2 });
        t.teardown(() => client.close());
        const log = watchLog(env.controller);
        await expectRefused(t, await get({}, client), c.want, log);
        // A good token does not rescue a bad certificate: a presented credential decides.
        const withToken = await get({ 'x-ferry-token': goodToken }, client);
        t.equal(withToken.statusCode, c.want.status, 'still refused with a good token beside it');
        await withToken.body.dump();
        await expectStillServing(t);
      });
    }
  }
});

void t.test('TLS 1.2 renegotiation is refused: a connection keeps the certificate of its handshake', async (t) => {
  // The front door reads a connection's client certificate once, so a renegotiation
  // (which could present another) must end the connection instead.
  const socket = tlsConnect({
    host: '127.0.0.1',
    port: env.ports.frontDoor,
    ca: env.ca.certPem,
    servername: 'localhost',
    maxVersion: 'TLSv1.2',
    ALPNProtocols: ['http/1.1'],
  });
  socket.on('error', () => undefined);
  socket.resume(); // read what the server answers, so its close is seen
  await new Promise((resolve) => socket.once('secureConnect', resolve));
  const outcome = await new Promise<string>((resolve) => {
    socket.once('close', () => resolve('connection closed'));
    const started = socket.renegotiate({ rejectUnauthorized: true }, (err) => resolve(err ? `error: ${err.message}` : 'renegotiated'));
    if (!started) resolve('renegotiation not started');
  });
  socket.destroy();
  t.notOk(/renegotiated|not started/.test(outcome), `refused (${outcome})`);
  await expectStillServing(t);
});

void t.test('JWTs', async (t) => {
  const now = Math.floor(Date.now() / 1000);
  const unauthenticated = (reason: RegExp): Refusal => ({ status: 401, code: 'FERRY_ERR_UNAUTHENTICATED', reason });
  const cases: { name: string; token: () => Promise<string> | string; want: Refusal }[] = [
    { name: 'alg: none', token: () => forge.unsigned(forge.claims(route)), want: unauthenticated(/^unsupported algorithm$/) },
    {
      name: 'HS256 signed with the public key',
      token: () => forge.hmacWithPublicKey(forge.claims(route)),
      want: unauthenticated(/^unsupported algorithm$/),
    },
    {
      name: 'expired',
      token: () => forge.signed(forge.claims(route, { iat: now - 7200, exp: now - 3600 })),
      want: unauthenticated(/^token expired$/),
    },
    {
      name: 'audience of another route',
      token: () => forge.signed(forge.claims(route, { aud: serviceAudience('a1', 'x-stream', 'ticks') })),
      want: unauthenticated(/^wrong audience$/),
    },
    {
      name: 'a control token naming a route',
      token: () => forge.signed(forge.claims(route, { aud: controlAudience(), purpose: 'control' })),
      want: unauthenticated(/^wrong audience$/),
    },
    {
      name: 'a control token',
      token: () =>
        forge.signed(forge.claims(route, { aud: controlAudience(), purpose: 'control', agent: undefined, type: undefined, name: undefined })),
      want: unauthenticated(/^token names no service route$/),
    },
    {
      name: 'a bootstrap-purpose token for the route',
      token: () => forge.signed(forge.claims(route, { purpose: 'bootstrap' })),
      want: unauthenticated(/^wrong token purpose$/),
    },
    {
      name: 'a good token with its signature swapped',
      token: async () => {
        const other = (await forge.signed(forge.claims(route))).split('.')[2]!;
        const [h, p] = goodToken.split('.');
        return `${h}.${p}.${other}`;
      },
      want: unauthenticated(/^bad signature$/),
    },
    { name: 'garbage', token: () => 'not.a.jwt', want: unauthenticated(/^malformed token$/) },
  ];
  for (const c of cases) {
    await t.test(c.name, async (t) => {
      const token = await c.token();
      const log = watchLog(env.controller);
      await expectRefused(t, await get({ authorization: `Bearer ${token}` }), c.want, log);
      // The same token in the other places a client may put it is refused the same way.
      const basic = await get({ authorization: `Basic ${Buffer.from(`u:${token}`).toString('base64')}` });
      t.equal(basic.statusCode, 401, 'as a Basic password');
      await basic.body.dump();
      const header = await get({ 'x-ferry-token': token });
      t.equal(header.statusCode, 401, 'as X-Ferry-Token');
      await header.body.dump();
      await expectStillServing(t);
    });
  }
});

void t.test('no credentials at all', async (t) => {
  for (const h2 of [false, true]) {
    const client = frontDoorClient(env.ca.certPem, { h2 });
    const log = watchLog(env.controller);
    await expectRefused(
      t,
      await get({}, client),
      { status: 401, code: 'FERRY_ERR_UNAUTHENTICATED', reason: /^no credentials: send a client certificate or a ferry token$/ },
      log,
    );
    await client.close();
  }
  await expectStillServing(t);
});

/** Sends `bytes` of headers over HTTP/1.1 on a raw TLS socket; resolves with what came back. */
function hugeHeadersH1(bytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port: env.ports.frontDoor, ca: env.ca.certPem, servername: 'localhost', ALPNProtocols: ['http/1.1'] });
    let answer = '';
    socket.on('data', (d: Buffer) => (answer += d.toString('latin1')));
    socket.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNRESET' || err.code === 'EPIPE' ? undefined : reject(err)));
    socket.on('close', () => resolve(answer));
    socket.once('secureConnect', () => {
      socket.write(`GET /refused HTTP/1.1\r\nhost: localhost\r\nx-ferry-token: ${goodToken}\r\n`);
      const line = `x-pad: ${'a'.repeat(1000)}\r\n`;
      for (let n = 0; n < bytes; n += line.length) socket.write(line);
      socket.end('\r\n');
    });
  });
}

void t.test('1 MB of headers over HTTP/1.1 is answered 431 and logged', async (t) => {
  const log = watchLog(env.controller);
  const requestsBefore = upstream.requests.length;
  const answer = await hugeHeadersH1(1024 * 1024);
  t.match(answer, /^HTTP\/1\.1 431 /, 'status 431');
  t.match(answer, /connection: close/i);
  t.match(answer, /\{"error":\{"code":"FERRY_ERR_TOO_LARGE","message":"request headers exceed \d+ bytes"\}\}$/, 'JSON body');
  const line = await log.next((l) => l.msg === 'front door: bad request refused');
  t.equal(line.level, 'warn');
  t.match(line.reason, /header/i, 'the log says the headers were too large');
  t.equal(upstream.requests.length, requestsBefore, 'nothing reached the upstream');
  await expectStillServing(t);
});

void t.test('1 MB of headers over h2 is refused and logged', async (t) => {
  const log = watchLog(env.controller);
  const requestsBefore = upstream.requests.length;
  const session = http2.connect(env.frontDoorUrl, {
    ca: env.ca.certPem,
    servername: 'localhost',
    // Let the client send what a hostile client would; the server must do the refusing.
    maxSendHeaderBlockLength: 4 * 1024 * 1024,
    maxHeaderListPairs: 10_000,
  } as http2.SecureClientSessionOptions);
  session.on('error', () => undefined);
  const headers: http2.OutgoingHttpHeaders = { ':path': '/refused', 'x-ferry-token': goodToken };
  // Distinct values so HPACK cannot shrink them.
  for (let i = 0; i < 1024; i++) headers[`x-pad-${i}`] = `${i}-${'b'.repeat(1000)}`;
  const outcome = await new Promise<string>((resolve) => {
    let req: http2.ClientHttp2Stream;
    try {
      req = session.request(headers);
    } catch (err) {
      resolve(`threw ${(err as Error).message}`);
      return;
    }
    req.on('response', (h) => resolve(`status ${String(h[':status'])}`));
    req.on('error', (err: Error) => resolve(`error ${err.message}`));
    req.on('close', () => resolve(`closed ${req.rstCode}`));
    req.end();
  });
  session.destroy();
  t.notMatch(outcome, /^status 2/, `refused (${outcome})`);
  t.notMatch(outcome, /^threw/, 'the client really sent them');
  t.equal(upstream.requests.length, requestsBefore, 'nothing reached the upstream');
  // nghttp2 resets the stream (ENHANCE_YOUR_CALM) and Node drops the whole session.
  const line = await log.next((l) => l.msg === 'front door: h2 session error', 5_000);
  t.equal(line.level, 'warn');
  t.match(line.reason, /CONTINUATION|header/i, `logged: ${String(line.reason)}`);
  await expectStillServing(t);
});

void t.test('after all of it the long response is still the same request', async (t) => {
  const before = long.ticks;
  await new Promise((r) => setTimeout(r, 200));
  t.ok(long.ticks > before, 'ticking');
  t.equal(long.error, undefined);
  t.equal(upstream.openStreams, 1, 'exactly the one long stream is open upstream');
  t.equal(upstream.startedStreams, 1, 'and it was never restarted');
});
