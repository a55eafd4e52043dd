// A userspace stand-in for netem: a TCP relay that holds every chunk `delayMs` in each
// direction (so 25 ms gives a 50 ms round trip) with an unbounded buffer, so the round
// trip, not the relay, limits a windowed protocol.
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

export interface DelayRelay {
  port: number;
  close(): Promise<void>;
}

function delayPipe(from: Socket, to: Socket, delayMs: number): void {
  let ended = false;
  from.on('data', (chunk: Buffer) => {
    setTimeout(() => {
      if (!to.destroyed) to.write(chunk);
    }, delayMs);
  });
  from.on('end', () => {
    if (ended) return;
    ended = true;
    setTimeout(() => to.end(), delayMs);
  });
  from.on('close', () => setTimeout(() => to.destroy(), delayMs + 5));
  from.on('error', () => undefined);
}

export async function startDelayRelay(targetPort: number, delayMs = 25): Promise<DelayRelay> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      s.setNoDelay(true);
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    }
    delayPipe(client, upstream, delayMs);
    delayPipe(upstream, client, delayMs);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
