// Issue 16, "upstream HTTP/2": RSS per idle upstream stream in a client built like the
// agent's (an undici Agent, one connection per request over HTTP/1.1, or allowH2 with up to
// 100 streams a connection), against a TLS server that speaks both. Each idle stream got
// its first line and then nothing, like a quiet watch.
// Usage: node --expose-gc dist/bench/experiments/upstream-h2-memory.js h1|h2 [streams]
import { fork } from 'node:child_process';
import http2 from 'node:http2';
import { Agent, request } from 'undici';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { testCert } from './test-cert.js';

const [mode = 'h1', count = '4000', certFromParent] = process.argv.slice(2);
if (mode === 'server') {
  const { key, cert } = JSON.parse(certFromParent ?? '{}') as { key: string; cert: string };
  const server = http2.createSecureServer({ key, cert, allowHTTP1: true, settings: { maxConcurrentStreams: 1000 } }, (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('tick\n');
  });
  server.listen(0, '127.0.0.1', () => process.send?.((server.address() as AddressInfo).port));
} else {
  const { key, cert } = testCert();
  const h2 = mode === 'h2';
  const server = fork(new URL(import.meta.url).pathname, ['server', '0', JSON.stringify({ key: key.toString(), cert: cert.toString() })]);
  const port = await new Promise<number>((r) => server.once('message', (m) => r(Number(m))));
  const agent = new Agent({ connect: { ca: cert, servername: 'localhost' }, allowH2: h2, connections: null, pipelining: 1, bodyTimeout: 0, headersTimeout: 0, ...(h2 ? { maxConcurrentStreams: 100 } : {}) });
  const open = async (): Promise<Readable> => {
    const r = await request(`https://127.0.0.1:${port}/idle`, { dispatcher: agent });
    await new Promise((resolve) => r.body.once('data', resolve));
    return r.body;
  };
  await open(); // code paths loaded before the first reading
  globalThis.gc?.();
  await new Promise((r) => setTimeout(r, 500));
  const before = process.memoryUsage().rss;
  const n = Number(count);
  const held: Readable[] = [];
  for (let i = 0; i < n; i += 100) held.push(...(await Promise.all(Array.from({ length: Math.min(100, n - i) }, open))));
  globalThis.gc?.();
  await new Promise((r) => setTimeout(r, 2000));
  process.stdout.write(`${mode}: ${held.length} idle streams, RSS per stream ${((process.memoryUsage().rss - before) / n / 1024).toFixed(1)} KiB\n`);
  server.kill();
  process.exit(0);
}
