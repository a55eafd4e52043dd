// Memory per idle front-door connection (issue 17), HTTP/1.1 keep-alive and h2, measured
// on a real controller process: its RSS before, with N connections held idle (each after one
// served request, so it is a client's ordinary keep-alive connection), and after the idle
// timeout closed them. Also N connections that never send a request (the attack), closed
// by the head deadline. Run: node dist/bench/hardening/idle-connections.js [--connections N]
import * as http2 from 'node:http2';
import { exchange, openTls } from '../../testkit/raw-tls.js';
import { rssBytes } from '../../testkit/rss.js';
import { startTunnelEnv } from '../../testkit/tunnel-env.js';
import { startUpstream } from '../../test/fixtures/upstream.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const N = arg('connections', 2000);
const IDLE_S = arg('idle-seconds', 30);
const BATCH = 100;
const MiB = 2 ** 20;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Opens n connections, BATCH at a time; counts their closes from the start. */
async function openAll<T extends { once(ev: 'close', f: () => void): unknown }>(n: number, open: () => Promise<T>): Promise<{ held: T[]; closed: () => number; allClosed: (ms: number) => Promise<void> }> {
  const held: T[] = [];
  let closed = 0;
  for (let i = 0; i < n; i += BATCH) {
    const batch = await Promise.all(Array.from({ length: Math.min(BATCH, n - i) }, open));
    for (const c of batch) c.once('close', () => closed++);
    held.push(...batch);
  }
  return {
    held,
    closed: () => closed,
    async allClosed(ms) {
      const end = Date.now() + ms;
      while (closed < n && Date.now() < end) await sleep(200);
    },
  };
}

async function settle(pid: number): Promise<number> {
  // RSS after the process had a moment (GC, freed buffers); the least of a few samples.
  let least = Infinity;
  for (let i = 0; i < 5; i++) {
    await sleep(300);
    least = Math.min(least, rssBytes(pid));
  }
  return least;
}

async function main(): Promise<void> {
  const upstream = await startUpstream();
  const env = await startTunnelEnv({ frontDoor: { listen: '127.0.0.1:0', limits: { idleTimeout: `${IDLE_S}s`, headersTimeout: `${IDLE_S}s`, h2AuthTimeout: `${IDLE_S}s`, maxConnectionsPerAddress: N + 10, maxConnections: N + 10 } } });
  await env.startAgent('a1', [{ type: 'x-echo', name: 'demo', url: upstream.url }]);
  const token = await env.token('a1', 'x-echo', 'demo');
  const pid = env.controller.child.pid!;
  const port = env.ports.frontDoor;
  const rows: string[] = [];
  if (N <= 0) throw new Error('--connections must be > 0');
  const report = (what: string, before: number, during: number, after: number, closed: number, stillOpen: number) => {
    rows.push(`| ${what} | ${stillOpen} | ${(before / MiB).toFixed(1)} | ${(during / MiB).toFixed(1)} | ${((during - before) / stillOpen / 1024).toFixed(1)} | ${(after / MiB).toFixed(1)} | ${closed}/${N} |`);
  };
  try {
    // Warm-up: one request of each kind so that code paths are loaded before the baseline.
    const warm = await openTls(port);
    await exchange(warm, `GET /warm HTTP/1.1\r\nHost: localhost\r\nX-Ferry-Token: ${token}\r\nConnection: close\r\n\r\n`);

    const wait = IDLE_S * 1000 + 10_000;
    // First, on a fresh process: TLS connections that never send a request (the attack).
    let before = await settle(pid);
    // resume(): a paused socket never reports the server's FIN (it would look still open).
    const silent = await openAll(N, async () => (await openTls(port)).resume());
    let during = await settle(pid);
    const openedSilent = N - silent.closed();
    await silent.allClosed(wait);
    report('TLS, no request ever', before, during, await settle(pid), silent.closed(), openedSilent);

    // HTTP/1.1 keep-alive, each after one request.
    before = await settle(pid);
    const h1 = await openAll(N, async () => {
      const s = await openTls(port);
      await exchange(s, `GET /h1 HTTP/1.1\r\nHost: localhost\r\nX-Ferry-Token: ${token}\r\n\r\n`);
      return s;
    });
    during = await settle(pid);
    const openedH1 = N - h1.closed();
    await h1.allClosed(wait);
    report('HTTP/1.1 keep-alive, after one request', before, during, await settle(pid), h1.closed(), openedH1);

    // h2 sessions, each after one authenticated request.
    before = await settle(pid);
    const h2 = await openAll(N, async () => {
      const session = http2.connect(`https://127.0.0.1:${port}`, { rejectUnauthorized: false, servername: 'localhost' });
      session.on('error', () => undefined);
      await new Promise<void>((resolve) => {
        const r = session.request({ ':path': '/h2', 'x-ferry-token': token });
        r.on('close', () => resolve());
        r.on('error', () => resolve());
        r.resume();
      });
      return session;
    });
    during = await settle(pid);
    const openedH2 = N - h2.closed();
    await h2.allClosed(wait);
    report('h2 session, after one request', before, during, await settle(pid), h2.closed(), openedH2);

  } finally {
    await env.close();
    await upstream.close();
  }
  console.log(`node ${process.version}; idle timeout ${IDLE_S}s; controller RSS in MiB\n`);
  console.log('| connection | held at the measure | RSS before | RSS held | KiB each | RSS after the limits closed them | closed by the limits |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of rows) console.log(r);
}

await main();
