// The control API server (default :9003): HTTPS + JSON for operators and for agents
// enrolling with a bootstrap token. Every refusal is answered with a JSON error and
// logged with its reason, never with the credential that was refused.
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FerryError } from '../../errors.js';
import { authenticateControl, type CertificateCheck } from './auth.js';
import type { ControlCaller, ControlContext } from './context.js';
import { readJson, sendControlError, sendJson } from './http.js';
import { defaultControlRoutes, type ControlRoute, type ControlRouteMount, type ControlRoutes } from './routes.js';

export interface ControlApiOptions {
  host: string;
  port: number;
  certPem: string;
  keyPem: string;
  caPem: string;
  context: ControlContext;
  /** CA, validity, purpose and revocation check of a client certificate. */
  checkCertificate: CertificateCheck;
  /** Routes mounted beside the built-in table. */
  routes?: readonly ControlRouteMount[];
}

export interface ControlApi {
  port: number;
  /** Serves `route` at `path` from now on (throws FERRY_ERR_EXISTS when that method is taken). */
  mount(path: string, route: ControlRoute): void;
  close(): Promise<void>;
}

const ANONYMOUS: ControlCaller = { name: '', method: 'token' };
const WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

async function handle(opts: ControlApiOptions, table: ControlRoutes, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const ctx = opts.context;
  const path = new URL(req.url ?? '/', 'https://control').pathname;
  // Read now: after an aborted upload the socket may be gone by the time we log.
  const remote = req.socket.remoteAddress;
  let caller: ControlCaller | undefined;
  try {
    const routes = table.get(path);
    if (!routes) throw new FerryError('FERRY_ERR_NOT_FOUND', `no control API endpoint ${path.slice(0, 200)}`);
    const route = routes.find((r) => r.method === req.method);
    // Authenticate before saying anything about methods: strangers learn nothing.
    if (route ? route.auth === 'control' : routes.some((r) => r.auth === 'control')) {
      caller = await authenticateControl(req, opts.checkCertificate, ctx.verifier);
    }
    if (!route) {
      res.setHeader('allow', routes.map((r) => r.method).join(', '));
      throw new FerryError('FERRY_ERR_METHOD', `${req.method ?? ''} is not allowed on ${path}; use ${routes.map((r) => r.method).join(' or ')}`);
    }
    const body = WITH_BODY.has(route.method) ? await readJson(req) : undefined;
    const result = await route.handle(ctx, body, caller ?? ANONYMOUS, req);
    sendJson(res, 200, result);
  } catch (err) {
    req.resume();
    const status = sendControlError(res, err);
    ctx.log(status >= 500 ? 'warn' : 'info', 'control API: request refused', {
      status,
      code: err instanceof FerryError ? err.code : 'FERRY_ERR_INTERNAL',
      reason: err instanceof Error ? err.message : 'internal error',
      method: req.method,
      path: path.slice(0, 200),
      caller: caller?.name,
      remote,
    });
  }
}

export async function startControlApi(opts: ControlApiOptions): Promise<ControlApi> {
  const table = defaultControlRoutes();
  for (const { path, ...route } of opts.routes ?? []) table.mount(path, route);
  const server: Server = createServer(
    {
      cert: opts.certPem,
      key: opts.keyPem,
      ca: opts.caPem,
      // Control certificates are one way in, tokens the other: TLS asks, ferry decides.
      requestCert: true,
      rejectUnauthorized: false,
      minVersion: 'TLSv1.2',
    },
    (req, res) => void handle(opts, table, req, res),
  );
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.on('tlsClientError', (err) => opts.context.log('debug', 'control API: TLS handshake failed', { reason: err.message }));
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      const addr = server.address();
      resolve(typeof addr === 'object' && addr ? addr.port : opts.port);
    });
  });
  return {
    port,
    mount: (path, route) => void table.mount(path, route),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => {
          server.closeAllConnections();
          resolve();
        }, 2_000).unref();
      }),
  };
}
