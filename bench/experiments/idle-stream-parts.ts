// Issue 16, "memory per watch": what one idle stream costs in the libraries ferry's path is
// built from, apart from ferry, so the bench's per-stream figure can be split into a floor
// and ferry's own share. Each part opens N streams that carry one message and then stay
// quiet (like a watch), in two processes, and reports per stream after a full GC:
// - grpc: @grpc/grpc-js bidi calls on one HTTP/2 connection (the tunnel's stream; the
//   agent is the client, the controller the server)
// - h2: node:http2 streams on one TLS connection (the front door's side of an h2 client)
// Usage: node --expose-gc dist/bench/experiments/idle-stream-parts.js grpc|h2 [streams]
import { fork } from 'node:child_process';
import http2 from 'node:http2';
import * as grpc from '@grpc/grpc-js';
import type { AddressInfo } from 'node:net';
import { testCert } from './test-cert.js';

const [mode = 'grpc', count = '4000', role, certJson] = process.argv.slice(2);
const n = Number(count);
const bytes = { serialize: (b: Buffer) => b, deserialize: (b: Buffer) => b };
const service: grpc.ServiceDefinition = {
  Open: { path: '/exp.Idle/Open', requestStream: true, responseStream: true, requestSerialize: bytes.serialize, requestDeserialize: bytes.deserialize, responseSerialize: bytes.serialize, responseDeserialize: bytes.deserialize },
};

interface Memory {
  rss: number;
  heapUsed: number;
  external: number;
}
async function settled(): Promise<Memory> {
  globalThis.gc?.();
  await new Promise((r) => setTimeout(r, 1000));
  globalThis.gc?.();
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external + m.arrayBuffers };
}
const per = (a: Memory, b: Memory) =>
  `RSS ${((b.rss - a.rss) / n / 1024).toFixed(1)} KiB, JS heap ${((b.heapUsed - a.heapUsed) / n / 1024).toFixed(1)} KiB, buffers ${((b.external - a.external) / n / 1024).toFixed(1)} KiB`;

if (role === 'server') {
  const { key, cert } = JSON.parse(certJson ?? '{}') as { key: string; cert: string };
  const held: unknown[] = [];
  let base: Memory | undefined;
  process.on('message', (m) => {
    if (m === 'base') void settled().then((b) => ((base = b), process.send?.('ok')));
    if (m === 'measure') void settled().then((after) => process.send?.(per(base!, after)));
  });
  if (mode === 'grpc') {
    const server = new grpc.Server({ 'grpc.max_concurrent_streams': 100_000 });
    server.addService(service, {
      Open: (call: grpc.ServerDuplexStream<Buffer, Buffer>) => {
        held.push(call);
        call.once('data', () => call.write(Buffer.from('tick')));
        call.on('error', () => undefined);
      },
    });
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createSsl(null, [{ private_key: Buffer.from(key), cert_chain: Buffer.from(cert) }]), (err, port) => {
      if (err) throw err;
      process.send?.(port);
    });
  } else {
    const server = http2.createSecureServer({ key, cert, settings: { maxConcurrentStreams: 100_000 } }, (req, res) => {
      held.push(res);
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('tick\n');
    });
    server.listen(0, '127.0.0.1', () => process.send?.((server.address() as AddressInfo).port));
  }
} else {
  const { key, cert } = testCert();
  const child = fork(new URL(import.meta.url).pathname, [mode, count, 'server', JSON.stringify({ key: key.toString(), cert: cert.toString() })], { execArgv: ['--expose-gc'] });
  const next = () => new Promise<string>((r) => child.once('message', (m) => r(typeof m === "object" ? JSON.stringify(m) : String(m))));
  const port = Number(await next());
  let open: () => Promise<unknown>;
  if (mode === 'grpc') {
    const Client = grpc.makeGenericClientConstructor(service, 'Idle');
    const client = new Client(`127.0.0.1:${port}`, grpc.credentials.createSsl(cert), { 'grpc.ssl_target_name_override': 'localhost' });
    open = () =>
      new Promise((resolve) => {
        const call = (client as unknown as { Open: () => grpc.ClientDuplexStream<Buffer, Buffer> }).Open();
        call.on('error', () => undefined);
        call.once('data', () => resolve(call));
        call.write(Buffer.from('hello'));
      });
  } else {
    const session = http2.connect(`https://127.0.0.1:${port}`, { ca: cert, servername: 'localhost', peerMaxConcurrentStreams: 100_000 });
    open = () =>
      new Promise((resolve) => {
        const req = session.request({ ':path': '/idle' });
        req.on('error', () => undefined);
        req.once('data', () => resolve(req));
      });
  }
  const held: unknown[] = [await open()]; // code paths loaded before the first reading
  child.send('base');
  await next();
  const before = await settled();
  for (let i = 0; i < n; i += 200) held.push(...(await Promise.all(Array.from({ length: Math.min(200, n - i) }, open))));
  child.send('measure');
  const server = await next();
  const client = per(before, await settled());
  process.stdout.write(`${mode}: ${held.length - 1} idle streams\n  client: ${client}\n  server: ${server}\n`);
  child.kill();
  process.exit(0);
}
