// The operations port (default :9102): /metrics for Prometheus, /healthz (the process
// answers) and /readyz (the program says it can do its job) for probes. Plain HTTP, no
// auth: bind it to the pod IP or loopback, never to the internet.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { FerryError, errorAnswer, messageOf } from '../errors.js';

export interface Readiness {
  ready: boolean;
  /** Why not ready (or notes when ready), shown to whoever reads /readyz. */
  reasons: string[];
}

export interface OpsServerOptions {
  listen: { host: string; port: number };
  registry: Registry;
  ready: () => Readiness | Promise<Readiness>;
}

export interface OpsServer {
  port: number;
  close(): Promise<void>;
}

function sendJson(res: ServerResponse, status: number, body: unknown, head: boolean): void {
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) });
  res.end(head ? undefined : text);
}

function sendErrorAnswer(res: ServerResponse, err: unknown, head: boolean): void {
  const answer = errorAnswer(err);
  res.writeHead(answer.status, { ...answer.headers, 'cache-control': 'no-store' });
  res.end(head ? undefined : answer.body);
}

async function readiness(ready: OpsServerOptions['ready']): Promise<Readiness> {
  try {
    return await ready();
  } catch (err) {
    return { ready: false, reasons: [`readiness check failed: ${messageOf(err)}`] };
  }
}

async function handle(options: OpsServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const head = req.method === 'HEAD';
  const path = (req.url ?? '/').split('?', 1)[0];
  if (req.method !== 'GET' && !head) {
    res.setHeader('allow', 'GET, HEAD');
    sendErrorAnswer(res, new FerryError('FERRY_ERR_METHOD', `method ${req.method} not allowed`), head);
    return;
  }
  switch (path) {
    case '/metrics': {
      const text = await options.registry.metrics();
      res.writeHead(200, { 'content-type': options.registry.contentType, 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) });
      res.end(head ? undefined : text);
      return;
    }
    case '/healthz':
      sendJson(res, 200, { status: 'ok' }, head);
      return;
    case '/readyz': {
      const state = await readiness(options.ready);
      sendJson(res, state.ready ? 200 : 503, { status: state.ready ? 'ready' : 'not ready', reasons: state.reasons }, head);
      return;
    }
    default:
      sendErrorAnswer(res, new FerryError('FERRY_ERR_NOT_FOUND', `no such path: ${path}; try /metrics, /healthz or /readyz`), head);
  }
}

export async function startOpsServer(options: OpsServerOptions): Promise<OpsServer> {
  const server = createServer((req, res) => {
    handle(options, req, res).catch((err: unknown) => {
      if (!res.headersSent) sendErrorAnswer(res, err, false);
      else res.destroy();
    });
  });
  // Scrapers reuse connections; don't let an idle one hold the process open at shutdown.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      reject(
        new FerryError('FERRY_ERR_IO', `cannot listen for metrics/health on ${options.listen.host}:${options.listen.port}: ${err.code ?? err.message}`, {
          cause: err,
        }),
      );
    };
    server.once('error', onError);
    server.listen(options.listen.port, options.listen.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    port,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}
