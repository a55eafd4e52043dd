// A client that asks for a large response and then stops reading: the socket stays open
// with full buffers, so every hop behind it must hold back (or buffer) the rest.
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { Endpoint } from '../peers/path.js';

export async function stalledReader(ep: Endpoint, path: string): Promise<{ close(): void }> {
  const url = new URL(ep.base);
  const port = Number(url.port);
  const socket: Socket =
    url.protocol === 'https:'
      ? tlsConnect({ host: '127.0.0.1', port, servername: 'localhost', rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] })
      : netConnect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', () => resolve());
    socket.once('error', reject);
  });
  socket.on('error', () => undefined);
  const headers = Object.entries(ep.headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  socket.write(`GET ${path} HTTP/1.1\r\nHost: localhost\r\n${headers}\r\n`);
  // Read the first bytes (the response started), then never again.
  await new Promise<void>((resolve) => socket.once('readable', () => resolve()));
  socket.pause();
  return { close: () => socket.destroy() };
}
