// Raw TLS connections to the front door, for tests that act as a misbehaving client:
// hold a connection, dribble a request head, bind a chosen loopback source address.
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';

export interface RawTlsOptions {
  /** Source address (any 127.x.y.z works on Linux loopback). */
  localAddress?: string;
  alpn?: string[];
}

/** A TLS connection after its handshake (the CA is not checked: these clients test the server's limits). */
export function openTls(port: number, opts: RawTlsOptions = {}): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const tcp = netConnect({ port, host: '127.0.0.1', localAddress: opts.localAddress });
    tcp.on('error', reject);
    const s = tlsConnect({ socket: tcp, servername: 'localhost', rejectUnauthorized: false, ALPNProtocols: opts.alpn ?? ['http/1.1'] });
    s.once('secureConnect', () => {
      s.off('error', reject);
      s.on('error', () => undefined);
      resolve(s);
    });
    s.once('error', reject);
  });
}

/** A plain TCP connection (no handshake ever sent). */
export function openTcp(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = netConnect({ port, host: '127.0.0.1' });
    s.once('connect', () => {
      s.on('error', () => undefined);
      resolve(s);
    });
    s.once('error', reject);
  });
}

/** Milliseconds until the socket closes (rejects after `withinMs`), and what it received. */
export function closedWithin(socket: Socket, withinMs: number): Promise<{ ms: number; text: string }> {
  const start = Date.now();
  let text = '';
  socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
  return new Promise((resolve, reject) => {
    if (socket.destroyed) {
      resolve({ ms: 0, text });
      return;
    }
    const timer = setTimeout(() => reject(new Error(`still open after ${withinMs} ms`)), withinMs);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve({ ms: Date.now() - start, text });
    });
  });
}

/** Writes a whole HTTP/1.1 request and reads the response up to the end of its body (content-length, the last chunk) or the close. */
export function exchange(socket: TLSSocket, request: string): Promise<{ status: number; head: string; body: string }> {
  return new Promise((resolve, reject) => {
    let text = '';
    const done = () => {
      socket.off('data', onData);
      const at = text.indexOf('\r\n\r\n');
      const head = at >= 0 ? text.slice(0, at) : text;
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), head, body: at >= 0 ? text.slice(at + 4) : '' });
    };
    const onData = (d: Buffer) => {
      text += d.toString('utf8');
      const at = text.indexOf('\r\n\r\n');
      if (at < 0) return;
      const head = text.slice(0, at);
      const len = /\r\ncontent-length: *(\d+)/i.exec(head)?.[1];
      if (len !== undefined && Buffer.byteLength(text.slice(at + 4)) >= Number(len)) done();
      else if (/\r\ntransfer-encoding: *chunked/i.test(head) && text.endsWith('\r\n0\r\n\r\n')) done();
    };
    socket.on('data', onData);
    socket.once('close', done);
    socket.once('error', reject);
    socket.write(request);
  });
}
