// A client for the control API, used by `ferry get-creds` and `ferry agents`: the CA is
// pinned; the caller is a control certificate or a control token.
import { Agent, request } from 'undici';
import { FerryError } from '../../errors.js';

export interface ControlClientOptions {
  url: string;
  caPem: string;
  certPem?: string;
  keyPem?: string;
  token?: string;
}

export class ControlClient {
  readonly #dispatcher: Agent;
  readonly #base: URL;
  readonly #token: string | undefined;

  constructor(opts: ControlClientOptions) {
    let base: URL;
    try {
      base = new URL(opts.url);
    } catch {
      throw new FerryError('FERRY_ERR_BAD_INPUT', `control URL ${JSON.stringify(opts.url)} is not a URL`);
    }
    if (base.protocol !== 'https:') throw new FerryError('FERRY_ERR_BAD_INPUT', 'the control URL must be https://');
    if (!opts.certPem && !opts.token) throw new FerryError('FERRY_ERR_BAD_INPUT', 'no control credential: give --cert and --key, or --token');
    this.#base = base;
    this.#token = opts.token;
    this.#dispatcher = new Agent({ connect: { ca: opts.caPem, cert: opts.certPem, key: opts.keyPem }, allowH2: false });
  }

  get<T>(path: string): Promise<T> {
    return this.#call<T>('GET', path);
  }

  post<T>(path: string, body: unknown): Promise<T> {
    return this.#call<T>('POST', path, body);
  }

  close(): Promise<void> {
    return this.#dispatcher.close();
  }

  async #call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.#token) headers.authorization = `Bearer ${this.#token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res;
    try {
      res = await request(new URL(path, this.#base), {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        dispatcher: this.#dispatcher,
      });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? '';
      throw new FerryError('FERRY_ERR_IO', `cannot reach the control API at ${this.#base.origin} (${code || (err as Error).message})`, { cause: err });
    }
    const text = await res.body.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new FerryError('FERRY_ERR_UPSTREAM', `control API answered ${res.statusCode} with a body that is not JSON`);
    }
    if (res.statusCode !== 200) {
      const e = (json as { error?: { code?: string; message?: string } }).error;
      throw new FerryError('FERRY_ERR_UPSTREAM', `control API refused (${res.statusCode} ${e?.code ?? ''}): ${e?.message ?? 'no reason given'}`);
    }
    return json as T;
  }
}
