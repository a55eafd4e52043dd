// The token endpoint (distribution's token spec and its OAuth2 form): GET with Basic
// credentials or none, POST with a password or a refresh token. The answer carries the
// intersection of what was asked and what the Authorizer grants; a denial is an empty
// `actions`, never an error. Usable alone: `handle(req, res)` fits any Node HTTP server.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import type { JSONWebKeySet } from 'jose';
import { FerryError, httpStatusOf } from '../errors.js';
import type { LogFn } from '../observability/log-fn.js';
import type { PasswordIdentity } from '../passwords/types.js';
import { parseScopes, type Access } from './scope.js';
import type { AuthorizationRequest, Authenticator, Authorizer, RefreshTokenStore, TokenGenerator } from './types.js';

type AnyRequest = IncomingMessage | Http2ServerRequest;
type AnyResponse = ServerResponse | Http2ServerResponse;

export interface TokenServerOptions {
  authenticator: Authenticator;
  authorizer: Authorizer;
  generator: TokenGenerator;
  /** Services (the `aud` a registry expects) this server issues for; others are refused (400). */
  services: readonly string[];
  refreshTokens?: RefreshTokenStore;
  /** How long a refresh token lives, in seconds. */
  refreshTtlSeconds?: number;
  /** Served at `<path>/jwks.json` when given (registry 3.x's auth.token.jwks). */
  jwks?: () => JSONWebKeySet;
  /** The realm named in `WWW-Authenticate: Basic`. */
  realm?: string;
  log?: LogFn;
  now?: () => number;
}

const MAX_FORM_BYTES = 64 * 1024;

interface Credentials {
  username: string;
  password: string;
}

class Unauthorized extends FerryError {
  constructor(message: string) {
    super('FERRY_ERR_UNAUTHENTICATED', message);
  }
}

function basicCredentials(header: string | undefined): Credentials | undefined {
  if (header === undefined) return undefined;
  const space = header.indexOf(' ');
  if (space < 0 || header.slice(0, space).toLowerCase() !== 'basic') throw new Unauthorized('only Basic credentials are accepted here');
  const decoded = Buffer.from(header.slice(space + 1).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  // The password may hold ':' itself; the user name may not (RFC 7617).
  if (colon < 0) throw new Unauthorized('malformed Basic credentials');
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function ipOf(req: AnyRequest): string {
  return req.socket.remoteAddress ?? '';
}

async function readForm(req: AnyRequest): Promise<URLSearchParams> {
  const type = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') throw new FerryError('FERRY_ERR_BAD_INPUT', 'POST wants an application/x-www-form-urlencoded body');
  if (Number(req.headers['content-length'] ?? 0) > MAX_FORM_BYTES) throw new FerryError('FERRY_ERR_BODY_TOO_LARGE', `form body over ${MAX_FORM_BYTES} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_FORM_BYTES) throw new FerryError('FERRY_ERR_BODY_TOO_LARGE', `form body over ${MAX_FORM_BYTES} bytes`);
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function required(form: URLSearchParams, key: string): string {
  const v = form.get(key);
  if (v === null || v === '') throw new FerryError('FERRY_ERR_BAD_INPUT', `missing ${key}`);
  return v;
}

export class TokenServer {
  constructor(private readonly opts: TokenServerOptions) {}

  /** Answers GET/POST on the token path and GET on `<path>/jwks.json`; `subpath` is what follows the mount path. */
  async handle(req: AnyRequest, res: AnyResponse, subpath = ''): Promise<void> {
    try {
      if (subpath === '/jwks.json' && this.opts.jwks) {
        if (req.method !== 'GET' && req.method !== 'HEAD') throw new FerryError('FERRY_ERR_METHOD', 'GET the JWKS');
        return this.#json(res, 200, this.opts.jwks());
      }
      if (subpath !== '' && subpath !== '/') throw new FerryError('FERRY_ERR_NOT_FOUND', 'no such path');
      if (req.method === 'GET') return this.#json(res, 200, await this.#get(req));
      if (req.method === 'POST') return this.#json(res, 200, await this.#post(req));
      throw new FerryError('FERRY_ERR_METHOD', 'GET or POST the token endpoint');
    } catch (err) {
      req.resume();
      this.#error(res, err, req.httpVersionMajor === 1);
    }
  }

  async #get(req: AnyRequest): Promise<Record<string, unknown>> {
    const query = new URL(req.url ?? '/', 'http://x').searchParams;
    const service = this.#service(query.get('service'));
    const scopes = parseScopes(query.getAll('scope'));
    const creds = basicCredentials(req.headers.authorization);
    const account = query.get('account');
    if (account !== null && account !== '' && creds && account !== creds.username) {
      throw new FerryError('FERRY_ERR_BAD_INPUT', 'account does not match the Basic user name');
    }
    const ip = ipOf(req);
    const identity = creds ? await this.#authenticate(creds, ip) : undefined;
    const answer = await this.#issue({ account: identity?.subject ?? '', identity, service, ip, scopes });
    if (identity && query.get('offline_token') === 'true' && this.opts.refreshTokens) {
      answer.refresh_token = await this.#newRefresh(identity, service, query.get('client_id') ?? '');
    }
    return answer;
  }

  async #post(req: AnyRequest): Promise<Record<string, unknown>> {
    const form = await readForm(req);
    const grant = required(form, 'grant_type');
    const service = this.#service(form.get('service'));
    const clientId = required(form, 'client_id');
    const scopes = parseScopes(form.getAll('scope'));
    const ip = ipOf(req);
    if (grant === 'password') {
      const identity = await this.#authenticate({ username: required(form, 'username'), password: form.get('password') ?? '' }, ip);
      const answer = await this.#issue({ account: identity.subject, identity, service, ip, scopes }, scopes);
      if (form.get('access_type') === 'offline' && this.opts.refreshTokens) answer.refresh_token = await this.#newRefresh(identity, service, clientId);
      return answer;
    }
    if (grant === 'refresh_token') {
      const token = required(form, 'refresh_token');
      const record = await this.opts.refreshTokens?.find(token);
      if (!record) throw new Unauthorized('refresh token unknown, expired or revoked');
      if (record.service !== service) throw new Unauthorized('refresh token was issued for another service');
      const identity: PasswordIdentity = { subject: record.subject, groups: record.groups, labels: record.labels };
      const answer = await this.#issue({ account: record.subject, identity, service, ip, scopes }, scopes);
      answer.refresh_token = token;
      return answer;
    }
    throw new FerryError('FERRY_ERR_BAD_INPUT', `unsupported grant_type ${JSON.stringify(grant)}`);
  }

  #service(service: string | null): string {
    if (service === null || service === '') throw new FerryError('FERRY_ERR_BAD_INPUT', 'missing service');
    if (!this.opts.services.includes(service)) throw new FerryError('FERRY_ERR_BAD_INPUT', `unknown service ${JSON.stringify(service.slice(0, 100))}`);
    return service;
  }

  async #authenticate(creds: Credentials, ip: string): Promise<PasswordIdentity> {
    const identity = await this.opts.authenticator.authenticate(creds.username, creds.password, ip);
    if (!identity) {
      // The name is logged, the password never.
      this.opts.log?.('warn', 'registry token: credentials refused', { username: creds.username.slice(0, 200), remote: ip });
      throw new Unauthorized('invalid username or password');
    }
    return identity;
  }

  async #issue(req: AuthorizationRequest, echoScope?: Access[]): Promise<Record<string, unknown>> {
    const access = await this.opts.authorizer.authorize(req);
    const t = await this.opts.generator.generate(req, access);
    this.opts.log?.('info', 'registry token issued', {
      subject: req.account,
      service: req.service,
      access: access.map((a) => `${a.type}:${a.name}:${a.actions.join(',')}`).join(' '),
    });
    const answer: Record<string, unknown> = {
      token: t.token,
      access_token: t.token,
      expires_in: t.expiresIn,
      issued_at: new Date(t.issuedAt * 1000).toISOString(),
    };
    if (echoScope) answer.scope = access.filter((a) => a.actions.length > 0).map((a) => `${a.type}:${a.name}:${a.actions.join(',')}`).join(' ');
    return answer;
  }

  async #newRefresh(identity: PasswordIdentity, service: string, clientId: string): Promise<string> {
    const now = (this.opts.now ?? Date.now)();
    return this.opts.refreshTokens!.create({
      subject: identity.subject,
      service,
      clientId,
      groups: identity.groups,
      labels: identity.labels ?? {},
      createdAt: now,
      expiresAt: now + (this.opts.refreshTtlSeconds ?? 30 * 86400) * 1000,
    });
  }

  #json(res: AnyResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), 'cache-control': 'no-store' });
    res.end(text);
  }

  /** distribution's error shape, `{"errors":[{code,message}]}`; a 401 challenges for Basic credentials. */
  #error(res: AnyResponse, err: unknown, http1: boolean): void {
    const status = httpStatusOf(err);
    if (status >= 500) this.opts.log?.('warn', 'registry token: request failed', { status, reason: err instanceof FerryError ? err.message : 'internal error' });
    const code = status === 401 ? 'UNAUTHORIZED' : status === 400 ? 'INVALID_REQUEST' : status === 503 ? 'UNAVAILABLE' : status === 404 ? 'NOT_FOUND' : 'ERROR';
    const message = err instanceof FerryError ? err.message : 'internal error';
    const text = JSON.stringify({ errors: [{ code, message }] });
    const headers: Record<string, string> = { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) };
    if (status === 401) headers['www-authenticate'] = `Basic realm="${this.opts.realm ?? 'ferry registry'}"`;
    // A body refused half-way: the rest of it would be read as the next request.
    if (status === 413 && http1) headers.connection = 'close';
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.writeHead(status, headers);
    res.end(text);
  }
}
