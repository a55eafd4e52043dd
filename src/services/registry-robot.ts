// The `registry` service type: a docker registry inside the private network. The agent
// holds the registry's own credential. With `basic` it is sent as is to a registry that
// takes Basic auth; when the registry answers `/v2/` with a Bearer challenge (token auth),
// the credential is a robot account: the agent fetches a token for each request's scope
// from the registry's realm (cached until shortly before it expires) and sends that.
// Blobs stream through like any body: nothing here reads them.
import { Agent, request, type Dispatcher } from 'undici';
import { z } from 'zod';
import { FerryError, messageOf } from '../errors.js';
import { mountSource, requiredAccess } from '../registry/registry-paths.js';
import { formatScope } from '../registry/scope.js';
import type { ServiceRequest, UpstreamHeader } from './agent-service.js';
import { CredentialService } from './custom.js';
import type { UpstreamTlsOptions } from './http-proxy.js';
import type { ServiceContext } from './service-base.js';
import type { ServiceConfig } from './service-config.js';

export const registryServiceSchema = z.strictObject({
  /** The token realm and service; default: read from the registry's `/v2/` challenge. */
  realm: z.url().optional(),
  service: z.string().min(1).optional(),
});

export type RegistryServiceConfig = z.infer<typeof registryServiceSchema>;

type Mode = { kind: 'basic' } | { kind: 'bearer'; realm: string; service: string };

const EARLY_S = 30;

/** `Bearer realm="…",service="…"` → its parameters. */
export function parseChallenge(header: string): Record<string, string> | undefined {
  if (!/^bearer\s/i.test(header)) return undefined;
  const params: Record<string, string> = {};
  for (const m of header.slice(7).matchAll(/([a-zA-Z]+)="([^"]*)"/g)) params[m[1]!.toLowerCase()] = m[2]!;
  return params;
}

export class RegistryService extends CredentialService {
  #mode: Promise<Mode> | undefined;
  readonly #tokens = new Map<string, { value: string; until: number }>();
  readonly #realmDispatcher: Dispatcher;
  readonly #url: string;

  constructor(cfg: ServiceConfig, ctx: ServiceContext, tls: UpstreamTlsOptions) {
    super(cfg, ctx, tls);
    this.#url = cfg.url!.replace(/\/$/, '');
    this.#realmDispatcher = new Agent({ connect: { ...(tls.ca ? { ca: tls.ca } : {}), ...(tls.insecure ? { rejectUnauthorized: false } : {}) } });
    const own = cfg.registry as RegistryServiceConfig | undefined;
    if (own?.realm) this.#mode = Promise.resolve({ kind: 'bearer', realm: own.realm, service: own.service ?? '' });
  }

  protected override async credentialHeaders(req: ServiceRequest): Promise<UpstreamHeader[]> {
    const basic = this.credential.kind === 'basic' ? this.credential.authorization() : undefined;
    if (basic === undefined) return super.credentialHeaders(req);
    const mode = await (this.#mode ??= this.#discover(basic));
    if (mode.kind === 'basic') return [{ name: 'authorization', value: basic }];
    return [{ name: 'authorization', value: `Bearer ${await this.#token(mode, basic, req)}` }];
  }

  /** Ask `/v2/` once which auth the registry wants. */
  async #discover(basic: string): Promise<Mode> {
    try {
      const res = await request(`${this.#url}/v2/`, { dispatcher: this.currentTarget().dispatcher, headers: { authorization: basic } });
      await res.body.dump();
      const challenge = res.statusCode === 401 ? parseChallenge(String(res.headers['www-authenticate'] ?? '')) : undefined;
      if (challenge?.realm) {
        this.ctx.log('info', 'registry uses token auth: the agent fetches tokens with its robot account', { service: this.key, realm: challenge.realm });
        return { kind: 'bearer', realm: challenge.realm, service: challenge.service ?? '' };
      }
      return { kind: 'basic' };
    } catch (err) {
      this.#mode = undefined;
      throw new FerryError('FERRY_ERR_UPSTREAM', `registry ${this.key}: /v2/ did not answer: ${messageOf(err)}`);
    }
  }

  async #token(mode: Extract<Mode, { kind: 'bearer' }>, basic: string, req: ServiceRequest): Promise<string> {
    const need = requiredAccess(req.method, req.path) ?? [];
    const scopes = need.map(formatScope);
    const from = mountSource(req.path);
    if (from !== undefined && /^[a-z0-9._/-]+$/.test(from)) scopes.push(`repository:${from}:pull`);
    const key = scopes.join(' ');
    const now = Date.now() / 1000;
    const cached = this.#tokens.get(key);
    if (cached && cached.until > now) return cached.value;
    const url = new URL(mode.realm);
    if (mode.service) url.searchParams.set('service', mode.service);
    for (const s of scopes) url.searchParams.append('scope', s);
    let body: { token?: unknown; access_token?: unknown; expires_in?: unknown };
    try {
      const res = await request(url, { dispatcher: this.#realmDispatcher, headers: { authorization: basic } });
      body = (await res.body.json()) as typeof body;
      if (res.statusCode !== 200) throw new Error(`the realm answered ${res.statusCode}`);
    } catch (err) {
      throw new FerryError('FERRY_ERR_UPSTREAM', `registry ${this.key}: no token from its realm: ${messageOf(err)}`);
    }
    const token = typeof body.token === 'string' ? body.token : typeof body.access_token === 'string' ? body.access_token : undefined;
    if (!token) throw new FerryError('FERRY_ERR_UPSTREAM', `registry ${this.key}: the realm's answer holds no token`);
    const ttl = typeof body.expires_in === 'number' ? body.expires_in : 60;
    if (this.#tokens.size > 1000) this.#tokens.clear();
    this.#tokens.set(key, { value: token, until: now + Math.max(ttl - EARLY_S, 1) });
    return token;
  }

  /** `/v2/` answers 401 to a robot that has no token yet: no probe unless one is configured. */
  protected override defaultHealthPath(): string | undefined {
    return undefined;
  }

  override async close(): Promise<void> {
    await this.#realmDispatcher.close();
    await super.close();
  }
}
