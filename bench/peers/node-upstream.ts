// What nginx cannot do: count an upload without storing it, and serve endless or idle
// streams while recording when each one's close reaches the upstream.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface NodeUpstream {
  port: number;
  /** Open /stream and /idle responses. */
  open: number;
  /** Close time (performance.now()) of each /stream?id=… response. */
  closedAt: Map<string, number>;
  startedIds: Set<string>;
  close(): Promise<void>;
}

const TICK = Buffer.from('tick\n');

export async function startNodeUpstream(): Promise<NodeUpstream> {
  const state = { port: 0, open: 0, closedAt: new Map<string, number>(), startedIds: new Set<string>(), close: () => Promise.resolve() };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/upload') {
      let n = 0;
      req.on('data', (d: Buffer) => (n += d.length));
      req.on('end', () => res.end(String(n)));
      return;
    }
    if (url.pathname === '/stream' || url.pathname === '/idle') {
      // /stream ticks every 100 ms like a log follow; /idle sends one line like a quiet watch.
      const id = url.searchParams.get('id') ?? '';
      state.open++;
      if (id) state.startedIds.add(id);
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write(TICK);
      const timer = url.pathname === '/stream' ? setInterval(() => res.write(TICK), 100) : undefined;
      res.on('close', () => {
        if (timer) clearInterval(timer);
        state.open--;
        if (id) state.closedAt.set(id, performance.now());
      });
      return;
    }
    res.end('ok');
  });
  server.keepAliveTimeout = 60_000;
  server.headersTimeout = 0;
  server.requestTimeout = 0;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.port = (server.address() as AddressInfo).port;
  state.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return state;
}
