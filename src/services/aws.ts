// AWS APIs: the agent signs each request with SigV4 using its own keys (aws4), for the
// configured service and region. The client's own signature (Authorization) is already
// gone; its X-Amz-Date and X-Amz-Security-Token go too, since they belong to its keys.
//
// Signing needs the payload's SHA-256, which is only known once the body is read, so
// it happens in an undici interceptor on the finished request: a body the client
// already hashed (X-Amz-Content-Sha256, as S3 clients send) streams through untouched;
// any other body is read (up to MAX_SIGNED_BODY) and hashed. Chunk-signed uploads
// (STREAMING-…) are signed with the client's keys and cannot be re-signed: refused.
import aws4 from 'aws4';
import type { Dispatcher } from 'undici';
import { FerryError } from '../errors.js';
import type { ServiceConfig } from './service-config.js';
import type { ServiceRequest, UpstreamHeader } from './agent-service.js';
import { SecretValue } from './credentials.js';
import { HttpTarget, type UpstreamTlsOptions } from './http-proxy.js';
import { BaseService, type ServiceContext } from './service-base.js';

export const MAX_SIGNED_BODY = 16 * 1024 * 1024;
const CLIENT_SIGNING_HEADERS = new Set(['x-amz-date', 'x-amz-security-token']);
const HASH_HEADER = 'x-amz-content-sha256';
const HASH_SHAPE = /^([0-9a-f]{64}|UNSIGNED-PAYLOAD)$/;

type DispatchFn = Dispatcher['dispatch'];
type DispatchHandler = Parameters<DispatchFn>[1];

export interface AwsKeys {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** Header list (undici's flat array or object form) as one object; repeats joined by ",". */
function headerObject(headers: Dispatcher.DispatchOptions['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  const add = (name: string, value: string) => {
    const k = name.toLowerCase();
    out[k] = out[k] === undefined ? value : `${out[k]},${value}`;
  };
  if (Array.isArray(headers)) {
    for (let i = 0; i + 1 < headers.length; i += 2) add(String(headers[i]), String(headers[i + 1]));
  } else if (headers && typeof headers === 'object') {
    for (const [k, v] of Object.entries(headers as Record<string, string | string[] | undefined>)) {
      if (v === undefined) continue;
      for (const one of Array.isArray(v) ? v : [v]) add(k, one);
    }
  }
  return out;
}

async function readBody(body: Dispatcher.DispatchOptions['body'], limit: number): Promise<Buffer> {
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (typeof body === 'string') return Buffer.from(body);
  if (Buffer.isBuffer(body)) return body;
  if (body instanceof Uint8Array) return Buffer.from(body);
  if (typeof (body as AsyncIterable<unknown>)[Symbol.asyncIterator] !== 'function') {
    throw new FerryError('FERRY_ERR_BAD_INPUT', 'aws: this request body cannot be signed');
  }
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const chunk of body as AsyncIterable<Buffer | string>) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    n += b.length;
    if (n > limit) {
      throw new FerryError('FERRY_ERR_BAD_INPUT', `aws: a request body over ${limit} bytes must carry X-Amz-Content-Sha256 to be re-signed`);
    }
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

/** The interceptor: sign the finished request (and read its body when it has no hash). */
export function sigV4Interceptor(opts: { service: string; region: string; keys: () => AwsKeys; maxBody?: number }) {
  return (dispatch: DispatchFn): DispatchFn =>
    (req, handler: DispatchHandler) => {
      void (async () => {
        const headers = headerObject(req.headers);
        const streamed = headers[HASH_HEADER] !== undefined;
        let body = streamed ? req.body : await readBody(req.body, opts.maxBody ?? MAX_SIGNED_BODY);
        // aws4 treats any Buffer as a body (adding Content-Length: 0, which undici then drops).
        if (Buffer.isBuffer(body) && body.length === 0) body = undefined;
        const signed = aws4.sign(
          {
            host: headers['host'],
            method: req.method,
            path: req.path,
            headers,
            body: streamed ? undefined : (body as Buffer | undefined),
            service: opts.service,
            region: opts.region,
          },
          opts.keys(),
        );
        return dispatch({ ...req, path: signed.path ?? req.path, headers: signed.headers as Record<string, string>, body }, handler);
      })().catch((err: unknown) => failRequest(handler, err));
      return true;
    };
}

/** Hands an error to whichever handler style undici gave us. */
function failRequest(handler: DispatchHandler, err: unknown): void {
  const e = err instanceof Error ? err : new Error(String(err));
  const h = handler as DispatchHandler & {
    onResponseError?: (controller: unknown, err: Error) => void;
    onError?: (err: Error) => void;
  };
  const controller = { abort() {}, pause() {}, resume() {}, aborted: false, paused: false, reason: null };
  if (h.onResponseError) h.onResponseError(controller, e);
  else h.onError?.(e);
}

export class AwsService extends BaseService {
  private readonly target: HttpTarget;
  private readonly accessKeyId: SecretValue;
  private readonly secretAccessKey: SecretValue;
  private readonly sessionToken: SecretValue | undefined;

  constructor(cfg: ServiceConfig, ctx: ServiceContext, tls: UpstreamTlsOptions) {
    super(cfg, ctx);
    const a = cfg.aws!;
    const label = `aws/${cfg.name}`;
    this.accessKeyId = new SecretValue(a.accessKeyId, { ...this.secretOptions(), label: `${label} accessKeyId` });
    this.secretAccessKey = new SecretValue(a.secretAccessKey, { ...this.secretOptions(), label: `${label} secretAccessKey` });
    this.sessionToken = a.sessionToken && new SecretValue(a.sessionToken, { ...this.secretOptions(), label: `${label} sessionToken` });
    this.secrets.push(this.accessKeyId, this.secretAccessKey, ...(this.sessionToken ? [this.sessionToken] : []));
    const interceptor = sigV4Interceptor({ service: a.service, region: a.region, keys: () => this.keys() });
    this.target = new HttpTarget({ type: cfg.type, name: cfg.name, url: cfg.url!, tls, compose: (d) => d.compose(interceptor) });
  }

  private keys(): AwsKeys {
    return {
      accessKeyId: this.accessKeyId.get(),
      secretAccessKey: this.secretAccessKey.get(),
      sessionToken: this.sessionToken?.get(),
    };
  }

  protected currentTarget(): HttpTarget {
    return this.target;
  }

  protected credentialProblem(): string | undefined {
    for (const s of this.secrets) if (s.problem !== undefined) return s.problem;
    return undefined;
  }

  protected credentialHeaders(req: ServiceRequest): Promise<UpstreamHeader[]> {
    if (req.upgrade) throw new FerryError('FERRY_ERR_BAD_INPUT', 'aws services do not take protocol upgrades');
    for (let i = req.headers.length - 1; i >= 0; i--) {
      const lower = req.headers[i]!.name.toLowerCase();
      if (CLIENT_SIGNING_HEADERS.has(lower)) req.headers.splice(i, 1);
      else if (lower === HASH_HEADER && !HASH_SHAPE.test(req.headers[i]!.value)) {
        throw new FerryError('FERRY_ERR_BAD_INPUT', 'aws: X-Amz-Content-Sha256 must be a hex SHA-256 or UNSIGNED-PAYLOAD; chunk-signed (STREAMING-…) uploads cannot be re-signed');
      }
    }
    // The signature itself is added by the interceptor, once the body is known.
    return Promise.resolve([]);
  }

  protected defaultHealthPath(): undefined {
    // AWS has no harmless endpoint common to every service: probe only when configured.
    return undefined;
  }

  protected presentsCredential(): boolean {
    return true;
  }
}
