// The plain service: forwards to a configured base URL with no credential of its own.
// Other types build on the same target handling and add their credential.
import { Agent as UndiciAgent } from 'undici';
import type { ConnectionOptions } from 'node:tls';
import { FerryError } from '../../errors.js';
import type { AgentService, PreparedRequest, ServiceHealth, ServiceRequest, UpstreamHeader } from './agent-service.js';

export interface UpstreamTlsOptions {
  ca?: string;
  serverName?: string;
  insecure?: boolean;
  cert?: string;
  key?: string;
}

export interface HttpTargetOptions {
  type: string;
  name: string;
  url: string;
  annotations?: Record<string, string>;
  tls?: UpstreamTlsOptions;
}

/** Joins the service's base path and the client's path ("/base" + "/x?y"). */
export function joinUrl(base: URL, path: string): URL {
  const basePath = base.pathname.endsWith('/') ? base.pathname.slice(0, -1) : base.pathname;
  return new URL(`${base.origin}${basePath}${path.startsWith('/') ? path : `/${path}`}`);
}

export class HttpTarget {
  readonly base: URL;
  readonly tls: ConnectionOptions;
  readonly dispatcher: UndiciAgent;

  constructor(opts: HttpTargetOptions) {
    let base: URL;
    try {
      base = new URL(opts.url);
    } catch {
      throw new FerryError('FERRY_ERR_BAD_CONFIG', `service ${opts.type}/${opts.name}: url is not a valid URL`);
    }
    if (base.protocol !== 'http:' && base.protocol !== 'https:') {
      throw new FerryError('FERRY_ERR_BAD_CONFIG', `service ${opts.type}/${opts.name}: url must be http or https, not ${base.protocol.replace(':', '')}`);
    }
    this.base = base;
    const t = opts.tls ?? {};
    this.tls = {
      ca: t.ca,
      servername: t.serverName,
      rejectUnauthorized: !t.insecure,
      cert: t.cert,
      key: t.key,
    };
    this.dispatcher = new UndiciAgent({
      connect: this.tls,
      keepAliveTimeout: 30_000,
      // Watches and logs -f last hours: no body timeout.
      bodyTimeout: 0,
      headersTimeout: 0,
      connections: null,
      pipelining: 1,
    });
  }

  prepared(req: ServiceRequest, extra: UpstreamHeader[]): PreparedRequest {
    const url = joinUrl(this.base, req.path);
    const headers = req.headers.filter((h) => h.name.toLowerCase() !== 'host');
    headers.push({ name: 'host', value: this.base.host }, ...extra);
    return { url, headers, dispatcher: this.dispatcher, tls: this.tls };
  }

  close(): Promise<void> {
    return this.dispatcher.close();
  }
}

export class HttpProxyService implements AgentService {
  readonly type: string;
  readonly name: string;
  readonly annotations: Record<string, string>;
  private readonly target: HttpTarget;

  constructor(opts: HttpTargetOptions) {
    this.type = opts.type;
    this.name = opts.name;
    this.annotations = opts.annotations ?? {};
    this.target = new HttpTarget(opts);
  }

  health(): ServiceHealth {
    return { healthy: true, reason: '' };
  }

  prepare(req: ServiceRequest): Promise<PreparedRequest> {
    return Promise.resolve(this.target.prepared(req, []));
  }

  close(): Promise<void> {
    return this.target.close();
  }
}
