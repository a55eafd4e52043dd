// The node upstream as its own process (so the load in the bench process does not delay
// it): prints its port, then serves until killed. Close times are wall-clock milliseconds
// (performance.timeOrigin + now), comparable with the bench process's clock.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

const TICK = Buffer.from('tick\n');
const now = () => performance.timeOrigin + performance.now();
let open = 0;
const started = new Set<string>();
const closedAt = new Map<string, number>();

function state(prefix: string): string {
  const ids = [...started].filter((id) => id.startsWith(prefix));
  return JSON.stringify({ open, started: ids, closed: Object.fromEntries(ids.filter((id) => closedAt.has(id)).map((id) => [id, closedAt.get(id)])) });
}

const server: Server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  switch (url.pathname) {
    case '/upload': {
      let n = 0;
      req.on('data', (d: Buffer) => (n += d.length));
      req.on('end', () => res.end(String(n)));
      return;
    }
    case '/stream':
    case '/idle': {
      // /stream ticks every 100 ms like a log follow; /idle sends one line like a quiet watch.
      const id = url.searchParams.get('id') ?? '';
      open++;
      if (id) started.add(id);
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write(TICK);
      const timer = url.pathname === '/stream' ? setInterval(() => res.write(TICK), 100) : undefined;
      res.on('close', () => {
        if (timer) clearInterval(timer);
        open--;
        if (id) closedAt.set(id, now());
      });
      return;
    }
    case '/_bench/state':
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(state(url.searchParams.get('prefix') ?? ''));
      return;
    default:
      res.end('ok');
  }
});
server.keepAliveTimeout = 60_000;
server.headersTimeout = 0;
server.requestTimeout = 0;
server.listen(0, '127.0.0.1', () => process.stdout.write(`${(server.address() as AddressInfo).port}\n`));
