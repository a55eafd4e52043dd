// The relay's send and serve sides joined by an in-memory Stream call (no gRPC, no tunnel
// sockets), with a real node:http client and upstream: bodies both ways, an upgrade, a
// client abort reaching the upstream, an upstream reset reaching the client, and the
// serve side's answer for a service it does not have.
import { once } from 'node:events';
import { request, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import t from 'tap';
import { startRelayEnv } from './relay-env.js';

function readBody(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve(Buffer.concat(chunks).toString()));
    res.on('error', reject);
  });
}

void t.test('a request body and a response body round-trip', async (t) => {
  const env = await startRelayEnv((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const got = Buffer.concat(chunks);
      res.writeHead(201, { 'x-seen-length': String(got.length), 'x-seen-via': String(req.headers.via) });
      // A body larger than one inline answer: it streams as Data frames.
      res.end(Buffer.concat([got, got]));
    });
  });
  t.teardown(() => env.close());
  const body = Buffer.alloc(200_000, 'a');
  const req = request({ port: env.port, host: '127.0.0.1', method: 'POST', path: '/echo?x=1', headers: { authorization: 'Bearer secret' } });
  req.end(body);
  const [res] = (await once(req, 'response')) as [IncomingMessage];
  t.equal(res.statusCode, 201);
  t.equal(res.headers['x-seen-length'], String(body.length));
  t.equal(res.headers['x-seen-via'], '1.1 ferry-agent/relay-test');
  const text = await readBody(res);
  t.equal(text.length, body.length * 2);
  t.ok(/^a+$/.test(text));
  await t.resolves(async () => {
    for (let i = 0; i < 50 && env.done.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  });
  t.same(env.done, [201]);
});

void t.test('an upgrade: 101, then bytes both ways', async (t) => {
  const env = await startRelayEnv((_req, res) => res.end('not an upgrade'));
  t.teardown(() => env.close());
  env.upstream.on('upgrade', (req: IncomingMessage, socket: Socket) => {
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nupgrade: ${req.headers.upgrade}\r\nconnection: Upgrade\r\n\r\nhello`);
    socket.on('data', (d: Buffer) => socket.write(`echo:${d.toString()}`));
  });
  const req = request({ port: env.port, host: '127.0.0.1', headers: { connection: 'Upgrade', upgrade: 'x-test-proto' } });
  req.end();
  const [res, socket, head] = (await once(req, 'upgrade')) as [IncomingMessage, Socket, Buffer];
  t.equal(res.statusCode, 101);
  t.equal(res.headers.upgrade, 'x-test-proto');
  let seen = head.toString();
  let more = () => undefined as void;
  // One listener for the whole exchange: bytes that came between two awaits are kept.
  socket.on('data', (d: Buffer) => {
    seen += d.toString();
    more();
  });
  const want = (text: string) =>
    new Promise<void>((resolve) => {
      more = () => seen.includes(text) && resolve();
      more();
    });
  await want('hello');
  socket.write('ping');
  await want('echo:ping');
  t.ok(seen.includes('hello') && seen.includes('echo:ping'));
  socket.destroy();
});

void t.test('a client abort reaches the upstream', async (t) => {
  let upstreamClosed: () => void;
  const closed = new Promise<void>((r) => (upstreamClosed = r));
  const env = await startRelayEnv((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('first');
    // Never ends: only the client going away ends it.
    res.on('close', () => upstreamClosed());
  });
  t.teardown(() => env.close());
  const req = request({ port: env.port, host: '127.0.0.1', path: '/watch' });
  req.on('error', () => undefined);
  req.end();
  const [res] = (await once(req, 'response')) as [IncomingMessage];
  await once(res, 'data');
  req.destroy();
  await closed;
  t.pass('the upstream saw its response cut');
});

void t.test('an upstream reset reaches the client', async (t) => {
  const env = await startRelayEnv((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('part');
    setTimeout(() => res.socket?.destroy(), 50);
  });
  t.teardown(() => env.close());
  const req = request({ port: env.port, host: '127.0.0.1', path: '/stream' });
  req.end();
  const [res] = (await once(req, 'response')) as [IncomingMessage];
  let error: NodeJS.ErrnoException | undefined;
  res.on('error', (err) => (error = err));
  res.resume();
  await new Promise((resolve) => res.on('close', resolve));
  t.equal(res.complete, false, 'the response was cut, not ended');
  t.equal(error?.code, 'ECONNRESET');
});

void t.test('no such service: a 404 JSON answer from the serve side', async (t) => {
  const env = await startRelayEnv(
    (_req, res) => res.end('never'),
    () => 'nope',
  );
  t.teardown(() => env.close());
  const req = request({ port: env.port, host: '127.0.0.1', method: 'POST', path: '/x' });
  req.end('a body the serve side drains');
  const [res] = (await once(req, 'response')) as [IncomingMessage];
  t.equal(res.statusCode, 404);
  t.match(res.headers['content-type'], /application\/json/);
  const body = JSON.parse(await readBody(res)) as { error: { code: string; message: string } };
  t.equal(body.error.code, 'FERRY_ERR_NO_SERVICE');
  t.match(body.error.message, /no x-test service named nope/);
});

void t.test("the agent sends one turn's response chunks as one Data frame, and holds nothing past the turn", async (t) => {
  const piece = Buffer.alloc(16 * 1024, 'b');
  let tailWrittenAt = 0;
  const env = await startRelayEnv((_req, res) => {
    // No content-length: chunked, so the agent's HTTP parser hands over each write apart,
    // as it does a TLS upstream's 16 KiB records.
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    res.cork();
    for (let i = 0; i < 8; i++) res.write(piece);
    res.uncork();
    setTimeout(() => {
      tailWrittenAt = Date.now();
      res.end('tail');
    }, 150);
  });
  t.teardown(() => env.close());
  const req = request({ port: env.port, host: '127.0.0.1', path: '/burst' });
  req.end();
  const [res] = (await once(req, 'response')) as [IncomingMessage];
  let burstSeenAt = 0;
  let got = 0;
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => {
    chunks.push(c);
    got += c.length;
    if (got >= 8 * piece.length && burstSeenAt === 0) burstSeenAt = Date.now();
  });
  await once(res, 'end');
  const body = Buffer.concat(chunks);
  t.equal(body.length, 8 * piece.length + 4, 'every byte');
  t.equal(body.subarray(8 * piece.length).toString(), 'tail', 'in order');
  t.ok(burstSeenAt > 0 && burstSeenAt < tailWrittenAt, 'the burst reached the client before the upstream wrote its tail');
  const data = env.servedFrames().filter((f) => f.kind === 'data');
  t.ok(data.length <= 3, `the eight writes crossed in ${data.length} Data frame(s)`);
  t.equal(data.at(-1)?.data?.toString(), 'tail', 'the tail went as its own frame');
});
