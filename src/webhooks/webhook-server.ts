// A webhook server around a handler: HTTPS with TLS 1.3 by default, and mutual TLS when
// asked (only clients with a certificate from `ca` get through). Plain HTTP without `tls`.
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { WebhookHandler } from './auth-webhook-handler.js';

export interface WebhookServerTls {
  /** Server certificate and key (PEM). */
  cert: string;
  key: string;
  /** CA(s) that sign accepted client certificates. */
  ca?: string | string[];
  /** Refuse clients without a certificate from `ca` (mTLS). Default: true when `ca` is set. */
  requireClientCert?: boolean;
  /** Default 'TLSv1.3'. */
  minVersion?: 'TLSv1.2' | 'TLSv1.3';
}

export interface WebhookServerOptions {
  handler: WebhookHandler;
  tls?: WebhookServerTls;
}

export interface WebhookServer {
  readonly server: Server;
  /** Listens (default 127.0.0.1, port 0) and resolves to the base URL. */
  listen(port?: number, host?: string): Promise<string>;
  close(): Promise<void>;
}

export function createWebhookServer(options: WebhookServerOptions): WebhookServer {
  const tls = options.tls;
  const requireClientCert = tls?.requireClientCert ?? tls?.ca !== undefined;
  const server: Server = tls
    ? createHttpsServer(
        {
          cert: tls.cert,
          key: tls.key,
          minVersion: tls.minVersion ?? 'TLSv1.3',
          ...(tls.ca !== undefined ? { ca: tls.ca } : {}),
          requestCert: requireClientCert,
          rejectUnauthorized: requireClientCert,
        },
        options.handler,
      )
    : createHttpServer(options.handler);
  return {
    server,
    listen(port = 0, host = '127.0.0.1') {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const addr = server.address() as AddressInfo;
          const shown = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
          resolve(`${tls ? 'https' : 'http'}://${shown}:${addr.port}`);
        });
      });
    },
    close() {
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
