// The reverse direction on the agent: a local HTTP listener for workloads in the
// cluster. Each request rides a fresh Stream call to the controller, which calls the
// controller-side service with its own credential. Both ends are the relay's.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { FerryError } from '../errors.js';
import type { ListenAddress } from '../config/listen.js';
import { sendError, sendSocketError } from '../relay/http-error.js';
import { requestHeadOf } from '../relay/request-head.js';
import { sendRequest } from '../relay/send-request.js';
import type { LogFn } from '../observability/log-fn.js';
import type { TunnelStream } from '../tunnel/tunnel-stream.js';

export interface ReverseListenerOptions {
  listen: ListenAddress;
  type: string;
  name: string;
  openStream: () => TunnelStream;
  log: LogFn;
}

export interface ReverseListener {
  port: number;
  close(): Promise<void>;
}

export async function startReverseListener(opts: ReverseListenerOptions): Promise<ReverseListener> {
  const target = { type: opts.type, name: opts.name };
  const server: Server = createServer((req, res) => {
    let stream: TunnelStream;
    try {
      stream = opts.openStream();
    } catch (err) {
      req.resume();
      sendError(res, err);
      return;
    }
    sendRequest(req, res, stream, requestHeadOf(req, target, undefined, 'http'), {
      // One call per reverse request: close it when done either way.
      release: (s) => s.close(),
      discard: () => undefined,
      onProtocolError: (reason) => opts.log('warn', 'reverse request: controller broke the stream protocol', { reason }),
    });
  });
  server.on('upgrade', (_req, socket: Duplex) => {
    sendSocketError(socket, new FerryError('FERRY_ERR_NOT_IMPLEMENTED', 'upgrades are not carried in the reverse direction'));
  });
  server.setTimeout(0);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new FerryError('FERRY_ERR_IO', `cannot listen on ${opts.listen.host}:${opts.listen.port} for ${opts.type}/${opts.name}: ${err.message}`)));
    server.listen(opts.listen.port, opts.listen.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  opts.log('info', 'reverse listener ready', { listen: `${opts.listen.host}:${port}`, service: `${opts.type}/${opts.name}` });
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
