// A TCP relay that can be cut like a network partition: while cut, bytes are dropped in
// both directions and nothing is closed (the far end just goes quiet, as it does when a
// link fails), and new connections are accepted but go nowhere. heal() forwards again
// (on connections made after the heal; the ones that lived through the cut stay deaf).
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

export interface PartitionRelay {
  port: number;
  cut(): void;
  heal(): void;
  close(): Promise<void>;
}

export async function startPartitionRelay(targetPort: number): Promise<PartitionRelay> {
  let cut = false;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    if (cut) return;
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => undefined);
    // Connections from before a cut never forward again: their bytes were lost mid-stream.
    let deaf = false;
    const pipe = (from: Socket, to: Socket) => {
      from.on('data', (chunk: Buffer) => {
        if (cut) deaf = true;
        if (!deaf && !to.destroyed) to.write(chunk);
      });
      from.on('end', () => {
        if (!cut && !deaf) to.end();
      });
      from.on('close', () => {
        if (!cut && !deaf) to.destroy();
      });
    };
    pipe(client, upstream);
    pipe(upstream, client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    cut() {
      cut = true;
    },
    heal() {
      cut = false;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
