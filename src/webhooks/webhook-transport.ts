// POSTs JSON to a webhook the way ContainerSSH's client does, with its lessons learnt:
// TLS 1.3 by default, a CA and an optional client certificate (mTLS), no redirects, a
// timeout per call; a non-200, a transport error or an answer that is not JSON is
// temporary and retried at an interval until an overall deadline, then refused.
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';
import { FerryError, messageOf } from '../errors.js';
import type { LogFn } from '../observability/log-fn.js';

export interface WebhookTransportOptions {
  /** The webhook's URL (the auth webhook's base URL: endpoints are appended). https:// unless allowPlainHttp. */
  url: string;
  /** PEM of the CA(s) that sign the webhook server's certificate; default: Node's public roots. */
  ca?: string | string[];
  /** Client certificate and key (PEM) for mutual TLS; ferry's CA can issue them. */
  cert?: string;
  key?: string;
  /** Default 'TLSv1.3'. */
  minTlsVersion?: 'TLSv1.2' | 'TLSv1.3';
  /** Allow an http:// URL (tests, a sidecar on localhost). Default false. */
  allowPlainHttp?: boolean;
  /** Per call. Default 5 s. */
  timeoutMs?: number;
  /** Between attempts. Default 1 s. */
  retryIntervalMs?: number;
  /** Overall, for one question with its retries. Default 15 s. */
  deadlineMs?: number;
  /** Larger answers are refused. Default 1 MiB. */
  maxAnswerBytes?: number;
  log?: LogFn;
}

const noLog: LogFn = () => undefined;

function isTimeout(err: unknown): boolean {
  const name = err instanceof Error ? err.name : '';
  const code = (err as { code?: unknown } | null)?.code;
  return name === 'TimeoutError' || name === 'AbortError' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT';
}

/** Why a question was refused without retrying. */
class PermanentRefusal extends Error {}

export class WebhookTransport {
  readonly url: URL;
  readonly #dispatcher: Agent;
  readonly #timeoutMs: number;
  readonly #retryIntervalMs: number;
  readonly #deadlineMs: number;
  readonly #maxAnswerBytes: number;
  readonly #log: LogFn;

  constructor(options: WebhookTransportOptions) {
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      throw new FerryError('FERRY_ERR_BAD_CONFIG', `webhook URL "${options.url}" is not a URL`);
    }
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && options.allowPlainHttp === true)) {
      throw new FerryError('FERRY_ERR_BAD_CONFIG', `webhook URL must be https:// (got ${url.protocol}//; allowPlainHttp permits http)`);
    }
    if (url.username !== '' || url.password !== '') throw new FerryError('FERRY_ERR_BAD_CONFIG', 'webhook URL must not hold credentials (use a client certificate)');
    if ((options.cert === undefined) !== (options.key === undefined)) throw new FerryError('FERRY_ERR_BAD_CONFIG', 'webhook client certificate needs both cert and key');
    this.url = url;
    this.#timeoutMs = options.timeoutMs ?? 5000;
    this.#retryIntervalMs = options.retryIntervalMs ?? 1000;
    this.#deadlineMs = options.deadlineMs ?? 15_000;
    this.#maxAnswerBytes = options.maxAnswerBytes ?? 1024 * 1024;
    this.#log = options.log ?? noLog;
    this.#dispatcher = new Agent({
      connect: {
        minVersion: options.minTlsVersion ?? 'TLSv1.3',
        rejectUnauthorized: true,
        ...(options.ca !== undefined ? { ca: options.ca } : {}),
        ...(options.cert !== undefined ? { cert: options.cert, key: options.key } : {}),
      },
      headersTimeout: this.#timeoutMs,
      bodyTimeout: this.#timeoutMs,
    });
  }

  /** The URL of an endpoint under the base URL ("password" → …/password). */
  endpointUrl(endpoint: string | undefined): URL {
    if (endpoint === undefined) return this.url;
    const u = new URL(this.url);
    u.pathname = `${u.pathname.replace(/\/+$/, '')}/${endpoint}`;
    return u;
  }

  /**
   * POSTs `body` and returns `decode` of the JSON object of a 200 answer (an answer that
   * `decode` throws on is temporary too). `what` names the question in errors and logs:
   * it must hold no secret.
   */
  async post<T>(endpoint: string | undefined, body: unknown, what: string, decode: (answer: Record<string, unknown>) => T): Promise<T> {
    const url = this.endpointUrl(endpoint);
    const payload = JSON.stringify(body);
    const started = Date.now();
    const deadline = started + this.#deadlineMs;
    let attempts = 0;
    let last: string;
    for (;;) {
      attempts++;
      const left = deadline - Date.now();
      const callTimeout = Math.max(1, Math.min(this.#timeoutMs, left));
      try {
        return decode(await this.#once(url, payload, callTimeout));
      } catch (err) {
        if (err instanceof PermanentRefusal) {
          this.#log('warn', 'webhook refused', { webhook: what, reason: err.message });
          throw new FerryError('FERRY_ERR_UNAVAILABLE', `${what}: ${err.message}`);
        }
        last = isTimeout(err) ? `no answer within ${callTimeout} ms` : messageOf(err);
      }
      const wait = Math.min(this.#retryIntervalMs, deadline - Date.now());
      if (wait <= 0 || Date.now() + wait >= deadline) break;
      this.#log('warn', 'webhook call failed; retrying', { webhook: what, attempt: attempts, reason: last, retryInMs: wait });
      await sleep(wait);
    }
    const reason = `gave up after ${attempts} attempt${attempts === 1 ? '' : 's'} in ${((Date.now() - started) / 1000).toFixed(1)} s (last: ${last})`;
    this.#log('warn', 'webhook unavailable', { webhook: what, reason });
    throw new FerryError('FERRY_ERR_UNAVAILABLE', `${what} unavailable: ${reason}`);
  }

  async #once(url: URL, payload: string, timeoutMs: number): Promise<Record<string, unknown>> {
    const res = await request(url, {
      method: 'POST',
      dispatcher: this.#dispatcher,
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: payload,
      signal: AbortSignal.timeout(timeoutMs),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    if (res.statusCode >= 300 && res.statusCode < 400) {
      await res.body.dump();
      const location = res.headers['location'];
      throw new PermanentRefusal(`answered a redirect (HTTP ${res.statusCode}${typeof location === 'string' ? ` to ${location}` : ''}); redirects are refused`);
    }
    if (res.statusCode !== 200) {
      await res.body.dump();
      throw new Error(`HTTP ${res.statusCode}`);
    }
    const length = Number(res.headers['content-length'] ?? 0);
    if (length > this.#maxAnswerBytes) {
      await res.body.dump();
      throw new PermanentRefusal(`answer of ${length} bytes is over the ${this.#maxAnswerBytes}-byte limit`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body) {
      const buf = chunk as Buffer;
      size += buf.length;
      if (size > this.#maxAnswerBytes) {
        res.body.destroy();
        throw new PermanentRefusal(`answer is over the ${this.#maxAnswerBytes}-byte limit`);
      }
      chunks.push(buf);
    }
    let decoded: unknown;
    try {
      decoded = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      const type = res.headers['content-type'];
      throw new Error(`answer is not JSON (content-type ${typeof type === 'string' ? type : 'none'})`);
    }
    if (decoded === null || typeof decoded !== 'object' || Array.isArray(decoded)) throw new Error('answer is not a JSON object');
    return decoded as Record<string, unknown>;
  }

  async close(): Promise<void> {
    await this.#dispatcher.close();
  }
}
