// Issue 16, the floor under "256 MiB download ≥ 1× ssh -R": CPU seconds per GB that the
// libraries under ferry's agent link cost on their own, both ends of one hop counted, in one
// process over loopback with TLS 1.3 AES-128-GCM (ferry's default), 512 MiB a run:
//   tls      a bare TLS socket, 64 KiB writes (what ssh -R's one encrypted hop compares to)
//   h2       one node:http2 stream over TLS, 256 KiB writes, 16 MiB windows
//   grpc     one @grpc/grpc-js bidi call over TLS carrying ferry's Data frames (its frame
//            codec), 256 KiB each, 16 MiB windows: the agent link as ferry uses it
// Three rounds, the modes alternating; medians printed.
// Usage: npx tsc -p . && node dist/bench/experiments/bulk-bytes-floor.js [rounds]
import * as grpc from '@grpc/grpc-js';
import http2 from 'node:http2';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { frameCodec } from '../../src/tunnel/frame-codec.js';
import type { FrameIn } from '../../src/tunnel/types.js';
import { testCert } from './test-cert.js';

const rounds = Number(process.argv[2] ?? 3);
const { key, cert } = testCert();
const CIPHERS = 'TLS_AES_128_GCM_SHA256';
const BYTES = 512 * 1024 * 1024;
const WINDOW = 16 * 1024 * 1024;
// BULK_FRAME_KIB changes the h2 write and gRPC message size (ferry's Data frames: 256 KiB).
const big = Buffer.alloc(Number(process.env['BULK_FRAME_KIB'] ?? 256) * 1024, 7);
const small = Buffer.alloc(64 * 1024, 7);

async function timed(run: () => Promise<void>): Promise<number> {
  const before = process.cpuUsage();
  await run();
  const used = process.cpuUsage(before);
  return ((used.user + used.system) / 1e6) * (1e9 / BYTES);
}

function pumpInto(write: (b: Buffer) => boolean, onDrain: (cb: () => void) => void, chunk: Buffer, done: () => void): void {
  let sent = 0;
  const pump = (): void => {
    while (sent < BYTES) {
      sent += chunk.length;
      if (!write(chunk)) return onDrain(pump);
    }
    done();
  };
  pump();
}

async function tlsSocket(): Promise<number> {
  const server = tls.createServer({ key, cert, ciphers: CIPHERS, minVersion: 'TLSv1.3' }, (s) => {
    let n = 0;
    s.on('data', (d: Buffer) => {
      n += d.length;
      if (n >= BYTES) s.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const cpu = await timed(
    () =>
      new Promise<void>((resolve) => {
        const c = tls.connect({ port: (server.address() as AddressInfo).port, host: '127.0.0.1', ca: cert, servername: 'localhost', ciphers: CIPHERS }, () =>
          pumpInto((b) => c.write(b), (cb) => c.once('drain', cb), small, () => undefined),
        );
        c.on('end', () => resolve());
        c.resume();
      }),
  );
  server.close();
  return cpu;
}

async function h2Stream(): Promise<number> {
  const settings = { initialWindowSize: WINDOW };
  const server = http2.createSecureServer({ key, cert, ciphers: CIPHERS, minVersion: 'TLSv1.3', settings });
  server.on('session', (s) => s.setLocalWindowSize(4 * WINDOW));
  server.on('stream', (stream) => {
    let n = 0;
    stream.on('data', (d: Buffer) => (n += d.length));
    stream.on('end', () => {
      stream.respond({ ':status': 200 });
      stream.end(String(n));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const client = http2.connect(`https://127.0.0.1:${(server.address() as AddressInfo).port}`, { ca: cert, servername: 'localhost', ciphers: CIPHERS, settings });
  const cpu = await timed(
    () =>
      new Promise<void>((resolve) => {
        const req = client.request({ ':method': 'POST', ':path': '/' });
        req.on('data', () => undefined);
        req.on('end', () => resolve());
        pumpInto((b) => req.write(b), (cb) => req.once('drain', cb), big, () => req.end());
      }),
  );
  client.close();
  server.close();
  return cpu;
}

async function grpcCall(): Promise<number> {
  const codec = frameCodec();
  const method = {
    path: '/bench.Bulk/Stream',
    requestStream: true,
    responseStream: true,
    requestSerialize: codec.serialize,
    requestDeserialize: codec.deserialize,
    responseSerialize: codec.serialize,
    responseDeserialize: codec.deserialize,
  };
  const service = { Stream: method } as unknown as grpc.ServiceDefinition;
  const server = new grpc.Server({ 'grpc-node.flow_control_window': WINDOW, 'grpc.enable_channelz': 0 });
  server.addService(service, {
    Stream: (call: grpc.ServerDuplexStream<FrameIn, unknown>) => {
      let n = 0;
      call.on('data', (f: FrameIn) => (n += f.data?.length ?? 0));
      call.on('end', () => {
        call.write({ data: Buffer.from(String(n)) });
        call.end();
      });
    },
  });
  const creds = grpc.ServerCredentials.createSsl(null, [{ private_key: key, cert_chain: cert }]);
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', creds, (err, p) => (err ? reject(err) : resolve(p))));
  const Client = grpc.makeGenericClientConstructor(service, 'Bulk');
  const channelCreds = grpc.credentials.createFromSecureContext(tls.createSecureContext({ ca: cert, ciphers: CIPHERS, minVersion: 'TLSv1.3' }));
  const client = new Client(`127.0.0.1:${port}`, channelCreds, {
    'grpc-node.flow_control_window': WINDOW,
    'grpc.ssl_target_name_override': 'localhost',
    'grpc.enable_channelz': 0,
    'grpc.max_send_message_length': 4 * 1024 * 1024,
    'grpc.max_receive_message_length': 4 * 1024 * 1024,
  }) as unknown as { Stream(): grpc.ClientDuplexStream<unknown, FrameIn> };
  const cpu = await timed(
    () =>
      new Promise<void>((resolve, reject) => {
        const call = client.Stream();
        call.on('data', () => undefined);
        call.on('end', () => resolve());
        call.on('error', reject);
        pumpInto((b) => call.write({ data: b }), (cb) => call.once('drain', cb), big, () => call.end());
      }),
  );
  (client as unknown as grpc.Client).close();
  server.forceShutdown();
  return cpu;
}

const modes: [string, () => Promise<number>][] = [
  ['tls socket', tlsSocket],
  ['node:http2 stream over TLS', h2Stream],
  ['grpc-js call over TLS, ferry Data frames', grpcCall],
];
const only = process.env['BULK_ONLY']; // one mode by its first word (tls, node:http2, grpc-js), e.g. under --cpu-prof
const chosen = only ? modes.filter(([m]) => m.startsWith(only)) : modes;
const seen = new Map<string, number[]>(chosen.map(([m]) => [m, []]));
for (let round = 0; round < rounds; round++) {
  for (const [name, run] of chosen) {
    const v = await run();
    seen.get(name)!.push(v);
    process.stderr.write(`round ${round + 1}: ${name}: ${v.toFixed(2)} CPU s/GB\n`);
  }
}
process.stdout.write('| one hop, both ends, 512 MiB, AES-128-GCM | CPU s/GB median | runs |\n| --- | --- | --- |\n');
for (const [name, v] of seen) {
  const s = [...v].sort((a, b) => a - b);
  process.stdout.write(`| ${name} | ${s[Math.floor(s.length / 2)]!.toFixed(2)} | ${v.map((x) => x.toFixed(2)).join(' / ')} |\n`);
}
