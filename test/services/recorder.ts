// An upstream stand-in that records exactly what arrives (raw headers, body, the
// client certificate's subject) and answers with a status chosen per path.
import { createServer as createHttp, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';

export interface Recorded {
  method: string;
  url: string;
  /** Lower-cased name → values in arrival order. */
  headers: Map<string, string[]>;
  rawHeaders: string[];
  body: Buffer;
  /** CN of the client certificate, when one was presented. */
  clientCN?: string;
}

export interface Recorder {
  url: string;
  requests: Recorded[];
  /** Status answered for a path (default 200). */
  status: Map<string, number>;
  /** Requests to `path` (without query). */
  to(path: string): Recorded[];
  last(path: string): Recorded;
  close(): Promise<void>;
}

export function headerMap(raw: string[]): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const k = raw[i]!.toLowerCase();
    m.set(k, [...(m.get(k) ?? []), raw[i + 1]!]);
  }
  return m;
}

export async function startRecorder(
  tls?: { cert: string; key: string; ca?: string; requestCert?: boolean },
  onRequest?: (r: Recorded, res: ServerResponse) => boolean,
): Promise<Recorder> {
  const requests: Recorded[] = [];
  const status = new Map<string, number>();
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const socket = req.socket as TLSSocket;
      const peer = typeof socket.getPeerCertificate === 'function' ? socket.getPeerCertificate() : undefined;
      const cn = peer?.subject?.CN;
      const r: Recorded = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: headerMap(req.rawHeaders),
        rawHeaders: req.rawHeaders,
        body: Buffer.concat(chunks),
        clientCN: typeof cn === 'string' ? cn : undefined,
      };
      requests.push(r);
      if (onRequest?.(r, res)) return;
      const path = (req.url ?? '/').split('?')[0]!;
      res.writeHead(status.get(path) ?? 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: true, path }));
    });
  };
  const server = tls
    ? createHttps({ cert: tls.cert, key: tls.key, ca: tls.ca, requestCert: tls.requestCert ?? false, rejectUnauthorized: false }, handler)
    : createHttp(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const to = (path: string) => requests.filter((r) => r.url.split('?')[0] === path);
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    requests,
    status,
    to,
    last(path) {
      const all = to(path);
      if (all.length === 0) throw new Error(`no request to ${path}`);
      return all[all.length - 1]!;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Waits until `check` is true (polling), or fails after `ms`. */
export async function eventually(check: () => boolean | Promise<boolean>, ms = 10_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}
