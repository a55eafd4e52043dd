// Issue 16, "cipher suites": CPU seconds per GB of each TLS 1.3 suite. One process sends
// 512 MiB to itself over loopback TLS (so the figure is encrypt + decrypt + the socket),
// 5 alternating rounds per suite. Usage: npx tsc -p . && node dist/bench/experiments/cipher-cost.js
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { testCert } from './test-cert.js';

const { key, cert } = testCert();
const SUITES = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'];
const BYTES = 512 * 1024 * 1024;
const chunk = Buffer.alloc(64 * 1024, 7);

async function cpuPerGB(suite: string): Promise<number> {
  const server = tls.createServer({ key, cert, ciphers: suite, minVersion: 'TLSv1.3' }, (s) => {
    let n = 0;
    s.on('data', (d: Buffer) => {
      n += d.length;
      if (n >= BYTES) s.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const before = process.cpuUsage();
  await new Promise<void>((resolve) => {
    const c = tls.connect({ port: (server.address() as AddressInfo).port, host: '127.0.0.1', ca: cert, servername: 'localhost', ciphers: suite }, () => {
      let sent = 0;
      const pump = (): void => {
        while (sent < BYTES) {
          sent += chunk.length;
          if (!c.write(chunk)) return void c.once('drain', pump);
        }
      };
      pump();
    });
    c.on('end', () => resolve());
    c.resume();
  });
  const used = process.cpuUsage(before);
  server.close();
  return ((used.user + used.system) / 1e6) * (1e9 / BYTES);
}

const seen: Record<string, number[]> = Object.fromEntries(SUITES.map((s) => [s, []]));
for (let round = 0; round < 5; round++) for (const s of SUITES) seen[s]!.push(await cpuPerGB(s));
for (const s of SUITES) {
  const v = seen[s]!.sort((a, b) => a - b);
  process.stdout.write(`${s}: CPU s/GB min ${v[0]!.toFixed(3)}, median ${v[2]!.toFixed(3)}, max ${v[4]!.toFixed(3)}\n`);
}
