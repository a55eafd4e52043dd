// Where a service sends its requests: a base URL, the trust settings for it, and an
// undici dispatcher. A client certificate can be swapped in when its files rotate; the
// old dispatcher finishes its in-flight requests (watches included) before it closes.
import { Agent as UndiciAgent, type Dispatcher } from 'undici';
import type { ConnectionOptions } from 'node:tls';
import { FerryError } from '../errors.js';
import type { PreparedRequest, ServiceRequest, UpstreamHeader } from './agent-service.js';

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
  /** Wraps each dispatcher made (undici interceptors), e.g. to sign the finished request. */
  compose?: (d: Dispatcher) => Dispatcher;
}

/** Joins the service's base path and the client's path ("/base" + "/x?y"). */
export function joinUrl(base: URL, path: string): URL {
  const basePath = base.pathname.endsWith('/') ? base.pathname.slice(0, -1) : base.pathname;
  return new URL(`${base.origin}${basePath}${path.startsWith('/') ? path : `/${path}`}`);
}

export function parseServiceUrl(type: string, name: string, url: string): URL {
  let base: URL;
  try {
    base = new URL(url);
  } catch {
    throw new FerryError('FERRY_ERR_BAD_CONFIG', `service ${type}/${name}: url is not a valid URL`);
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new FerryError('FERRY_ERR_BAD_CONFIG', `service ${type}/${name}: url must be http or https, not ${base.protocol.replace(':', '')}`);
  }
  return base;
}

export class HttpTarget {
  readonly base: URL;
  private tlsOptions: ConnectionOptions;
  private current: UndiciAgent;
  private composed: Dispatcher;

  constructor(private readonly opts: HttpTargetOptions) {
    this.base = parseServiceUrl(opts.type, opts.name, opts.url);
    const t = opts.tls ?? {};
    this.tlsOptions = {
      ca: t.ca,
      servername: t.serverName,
      rejectUnauthorized: !t.insecure,
      cert: t.cert,
      key: t.key,
    };
    this.current = this.makeAgent();
    this.composed = opts.compose ? opts.compose(this.current) : this.current;
  }

  get tls(): ConnectionOptions {
    return this.tlsOptions;
  }

  get dispatcher(): Dispatcher {
    return this.composed;
  }

  private makeAgent(): UndiciAgent {
    return new UndiciAgent({
      connect: this.tlsOptions,
      keepAliveTimeout: 30_000,
      // Watches and logs -f last hours: no body timeout.
      bodyTimeout: 0,
      headersTimeout: 0,
      connections: null,
      pipelining: 1,
    });
  }

  /** A rotated client certificate: new connections use it; old ones finish what they carry. */
  setClientIdentity(identity: { cert: string; key: string } | undefined): void {
    if (identity?.cert === this.tlsOptions.cert && identity?.key === this.tlsOptions.key) return;
    this.tlsOptions = { ...this.tlsOptions, cert: identity?.cert, key: identity?.key };
    const old = this.current;
    this.current = this.makeAgent();
    this.composed = this.opts.compose ? this.opts.compose(this.current) : this.current;
    void old.close().catch(() => undefined);
  }

  prepared(req: ServiceRequest, extra: readonly UpstreamHeader[]): PreparedRequest {
    const url = joinUrl(this.base, req.path);
    const headers = req.headers.filter((h) => h.name.toLowerCase() !== 'host');
    headers.push({ name: 'host', value: this.base.host }, ...extra);
    return { url, headers, dispatcher: this.composed, tls: this.tlsOptions };
  }

  close(): Promise<void> {
    return this.current.close();
  }
}
