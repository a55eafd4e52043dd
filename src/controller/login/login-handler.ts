// osprey's server on the front door: POST <path>[/<cluster>]/access-token (Basic → a login
// token ferry signs, with the cluster's API URL and CA), GET <path>[/<cluster>]/cluster-info
// (no auth), GET <path>/healthz. Protobuf as osprey speaks it, JSON on Accept: application/json.
// Unlike osprey: a bad password is 401 (a backend that cannot answer 503, never 500), and no
// client secret is ever sent to clients.
import type { AccessRule, LoginConfig } from '../../config/oidc-config.js';
import { FerryError, errorBody, httpStatusOf } from '../../errors.js';
import type { LogFn } from '../../observability/log-fn.js';
import { accessAllows } from '../../oidc/access.js';
import { encodeOsprey, RPC_CODE, type OspreyCluster } from '../../oidc/osprey-proto.js';
import type { PasswordChecker, PasswordIdentity } from '../../passwords/types.js';
import type { TokenIssuer } from '../../tokens/issuer.js';
import { hostOf, pathOf } from '../front-door/request-path.js';
import type { AnyRequest, AnyResponse, LocalHandler } from '../front-door/types.js';

export interface LoginHandlerOptions {
  config: LoginConfig;
  checkers: readonly PasswordChecker[];
  issuer: TokenIssuer;
  /** ferry's `iss` (the provider's issuerURL in the answer). */
  issuerName: string;
  caPem: string;
  /** frontDoor.publicUrl, else the Host the client used. */
  publicUrl?: string;
  /** oidc.access: a person no rule lets reach a cluster gets no token for it. */
  access?: readonly AccessRule[];
  log: LogFn;
}

const RPC_OF_STATUS: Record<number, number> = { 400: RPC_CODE.INVALID_ARGUMENT, 401: RPC_CODE.UNAUTHENTICATED, 403: RPC_CODE.PERMISSION_DENIED, 404: RPC_CODE.NOT_FOUND, 429: RPC_CODE.RESOURCE_EXHAUSTED, 503: RPC_CODE.UNAVAILABLE };

function wantsJson(req: AnyRequest): boolean {
  const accept = req.headers.accept;
  return typeof accept === 'string' && /application\/json/i.test(accept) && !/application\/octet-stream/i.test(accept);
}

function basicCredentials(req: AnyRequest): { username: string; password: string } | undefined {
  const auth = req.headers.authorization;
  if (typeof auth !== 'string' || !/^basic /i.test(auth)) return undefined;
  const decoded = Buffer.from(auth.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Password guessing: this many failures for one name from one address within the window… */
const MAX_FAILURES = 5;
const FAILURE_WINDOW_MS = 5 * 60_000;
/** …make that pair wait this long (429), whatever the password. */
const BACKOFF_MS = 60_000;

export class LoginHandler implements LocalHandler {
  readonly path: string;
  readonly needsCaller = false;
  private readonly caB64: string;
  private readonly failures = new Map<string, { count: number; first: number; blockedUntil: number }>();

  constructor(private readonly opts: LoginHandlerOptions) {
    this.path = opts.config.path;
    this.caB64 = Buffer.from(opts.caPem).toString('base64');
  }

  async handle(req: AnyRequest, res: AnyResponse): Promise<void> {
    const json = wantsJson(req);
    try {
      const rest = pathOf(req).slice(this.path.length).replace(/^\/+/, '');
      const parts = rest === '' ? [] : rest.split('/');
      const action = parts.pop() ?? '';
      if (parts.length > 1) throw new FerryError('FERRY_ERR_NOT_FOUND', 'no such login endpoint');
      if (action === 'healthz' && parts.length === 0) return this.send(res, 200, 'text/plain', Buffer.from('ok\n'));
      if (action !== 'access-token' && action !== 'cluster-info') throw new FerryError('FERRY_ERR_NOT_FOUND', 'no such login endpoint (access-token, cluster-info, healthz)');
      const cluster = this.clusterNamed(parts[0]);
      const described = this.describe(req, cluster);
      if (action === 'cluster-info') {
        if (req.method !== 'GET' && req.method !== 'HEAD') throw new FerryError('FERRY_ERR_METHOD', 'cluster-info takes GET');
        req.resume();
        return json ? this.sendJson(res, 200, { cluster: described }) : this.send(res, 200, 'application/octet-stream', encodeOsprey('clusterInfo', { cluster: described }));
      }
      if (req.method !== 'POST') throw new FerryError('FERRY_ERR_METHOD', 'access-token takes POST');
      req.resume();
      const answer = await this.login(req, cluster, described);
      return json ? this.sendJson(res, 200, answer) : this.send(res, 200, 'application/octet-stream', encodeOsprey('login', answer));
    } catch (err) {
      req.resume();
      const status = httpStatusOf(err);
      if (status >= 500 && !(err instanceof FerryError)) this.opts.log('warn', 'login: unexpected error', { path: pathOf(req) });
      const body = errorBody(err);
      if (status === 401) res.setHeader('www-authenticate', 'Basic realm="ferry login"');
      if (status === 405) res.setHeader('allow', 'GET, POST');
      if (status === 429) res.setHeader('retry-after', String(BACKOFF_MS / 1000));
      if (json) return this.sendJson(res, status, body);
      return this.send(res, status, 'application/octet-stream', encodeOsprey('status', { code: RPC_OF_STATUS[status] ?? RPC_CODE.INTERNAL, message: body.error.message }));
    }
  }

  private clusterNamed(name: string | undefined): LoginConfig['clusters'][number] {
    const clusters = this.opts.config.clusters;
    if (name === undefined) {
      if (clusters.length === 1) return clusters[0]!;
      throw new FerryError('FERRY_ERR_NOT_FOUND', `name a cluster: ${this.path}/<cluster>/… (${clusters.map((c) => c.name).join(', ') || 'none configured'})`);
    }
    const found = clusters.find((c) => c.name === name);
    if (!found) throw new FerryError('FERRY_ERR_NOT_FOUND', `no login cluster named ${JSON.stringify(name).slice(0, 80)}`);
    return found;
  }

  private describe(req: AnyRequest, c: LoginConfig['clusters'][number]): OspreyCluster {
    const port = /:(\d+)$/.exec(String(req.headers.host ?? req.headers[':authority'] ?? ''))?.[1];
    const base = this.opts.publicUrl?.replace(/\/$/, '') ?? `https://${hostOf(req)}${port ? `:${port}` : ''}`;
    return { name: c.name, apiServerURL: `${base}/agents/${c.agent}/kubernetes/${c.service}`, apiServerCA: this.caB64 };
  }

  private async login(req: AnyRequest, c: LoginConfig['clusters'][number], cluster: OspreyCluster) {
    const creds = basicCredentials(req);
    if (!creds) throw new FerryError('FERRY_ERR_UNAUTHENTICATED', 'send a username and password (Basic)');
    const guessKey = `${req.socket.remoteAddress ?? ''}|${creds.username.slice(0, 256)}`;
    this.refuseWhileBlocked(guessKey);
    let id: PasswordIdentity;
    try {
      id = await this.check(creds.username, creds.password);
    } catch (err) {
      if (err instanceof FerryError && err.code === 'FERRY_ERR_UNAUTHENTICATED') this.countFailure(guessKey);
      throw err;
    }
    this.failures.delete(guessKey);
    const access = this.opts.access;
    if (access && !accessAllows(access, id.subject, id.groups, { agent: c.agent, type: 'kubernetes', name: c.service })) {
      this.opts.log('info', 'login: refused by oidc.access', { username: id.subject, cluster: c.name });
      throw new FerryError('FERRY_ERR_FORBIDDEN', `${id.subject} may not use cluster ${c.name}`);
    }
    const { token } = await this.opts.issuer.issue({ purpose: 'user', sub: id.subject, aud: this.opts.config.clientId, groups: id.groups, ttlSeconds: this.opts.config.tokenTtl });
    this.opts.log('info', 'login: token issued', { username: id.subject, groups: id.groups, cluster: c.name });
    return {
      cluster,
      provider: { clientID: this.opts.config.clientId, clientSecret: '', issuerURL: this.opts.issuerName, issuerCA: this.caB64 },
      user: { username: id.subject, token },
    };
  }

  private refuseWhileBlocked(key: string): void {
    const f = this.failures.get(key);
    if (f && f.blockedUntil > Date.now()) {
      throw new FerryError('FERRY_ERR_RATE_LIMITED', `too many failed logins for this user from this address; try again in ${Math.ceil((f.blockedUntil - Date.now()) / 1000)} s`);
    }
  }

  private countFailure(key: string): void {
    const now = Date.now();
    if (this.failures.size >= 10_000) this.failures.clear();
    let f = this.failures.get(key);
    if (!f || now - f.first > FAILURE_WINDOW_MS) f = { count: 0, first: now, blockedUntil: 0 };
    f.count++;
    if (f.count >= MAX_FAILURES) {
      f.blockedUntil = now + BACKOFF_MS;
      this.opts.log('warn', 'login: too many failed logins; this user is refused from this address for a while', { username: key.slice(key.indexOf('|') + 1), remote: key.slice(0, key.indexOf('|')) });
    }
    this.failures.set(key, f);
  }

  /** Backends in order; the first that knows the user decides. One that cannot answer makes a 503 only if no later one says yes. */
  private async check(username: string, password: string): Promise<PasswordIdentity> {
    let unavailable: unknown;
    for (const checker of this.opts.checkers) {
      try {
        const id = await checker.check(username, password);
        if (id) return id;
      } catch (err) {
        unavailable ??= err;
      }
    }
    if (unavailable) throw unavailable instanceof FerryError ? unavailable : new FerryError('FERRY_ERR_UNAVAILABLE', 'password check unavailable');
    this.opts.log('info', 'login: bad username or password', { username: username.slice(0, 256) });
    throw new FerryError('FERRY_ERR_UNAUTHENTICATED', 'bad username or password');
  }

  private sendJson(res: AnyResponse, status: number, body: unknown): void {
    this.send(res, status, 'application/json', Buffer.from(JSON.stringify(body)));
  }

  private send(res: AnyResponse, status: number, type: string, body: Buffer): void {
    res.writeHead(status, { 'content-type': type, 'content-length': String(body.length), 'cache-control': 'no-store' });
    res.end(body);
  }
}
