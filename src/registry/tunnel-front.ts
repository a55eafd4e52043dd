// A registry inside a private network, served at the front door's root for its host name.
// Clients hold tokens from ferry's token endpoint: the front door checks the token and
// that its `access` covers the request, then the request crosses to the agent's
// `registry` service, which adds the agent's own registry credential. Without a token (or
// with too little access) the answer is the 401 challenge docker clients expect, naming
// ferry's token endpoint as the realm.
import { createLocalJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { FerryError } from '../errors.js';
import type { Authenticator, Caller, FrontDoorRequest, Route } from '../controller/front-door/types.js';
import type { TokenKeyStore } from '../tokens/key-store.js';
import type { RevocationList } from '../tokens/revocations.js';
import { covers, requiredAccess } from './registry-paths.js';
import { formatScope, type Access } from './scope.js';

export interface TunnelRegistry {
  host: string;
  route: Route;
  service: string;
}

/** A 401 whose WWW-Authenticate is the registry's Bearer challenge. */
export class RegistryChallenge extends FerryError {
  constructor(
    message: string,
    readonly challenge: string,
  ) {
    super('FERRY_ERR_UNAUTHENTICATED', message);
  }
}

function hostOfHeaders(req: FrontDoorRequest): string {
  const authority = req.headers.host ?? req.headers[':authority'];
  if (typeof authority !== 'string') return '';
  const end = authority.startsWith('[') ? authority.indexOf(']') + 1 : authority.lastIndexOf(':');
  return (end > 0 ? authority.slice(0, end) : authority).toLowerCase();
}

function bearerOf(req: FrontDoorRequest): string | undefined {
  const auth = req.headers.authorization;
  if (typeof auth !== 'string' || !/^bearer /i.test(auth)) return undefined;
  return auth.slice(7).trim();
}

function accessOf(payload: JWTPayload): Access[] {
  const raw = payload.access;
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((a: unknown) => {
    const x = a as Partial<Access>;
    return typeof x.type === 'string' && typeof x.name === 'string' && Array.isArray(x.actions) ? [{ type: x.type, name: x.name, actions: x.actions.filter((s): s is string => typeof s === 'string') }] : [];
  });
}

export class RegistryTunnelAuthenticator implements Authenticator {
  readonly name = 'registry-tunnel';
  readonly #byHost: Map<string, TunnelRegistry>;
  /** The key set for verifying, rebuilt only when the store's keys change (a rotation, a reload). */
  #verifyKeys: { from: readonly unknown[]; set: ReturnType<typeof createLocalJWKSet> } | undefined;

  constructor(
    registries: readonly TunnelRegistry[],
    private readonly keys: TokenKeyStore,
    private readonly realm: (req: FrontDoorRequest) => string,
    private readonly revocations?: RevocationList,
  ) {
    this.#byHost = new Map(registries.map((r) => [r.host.toLowerCase(), r]));
  }

  #keySet(): ReturnType<typeof createLocalJWKSet> {
    const from = this.keys.keys();
    if (this.#verifyKeys?.from !== from) this.#verifyKeys = { from, set: createLocalJWKSet(this.keys.jwks()) };
    return this.#verifyKeys.set;
  }

  async authenticate(req: FrontDoorRequest): Promise<Caller | null> {
    if (this.#byHost.size === 0) return null;
    const reg = this.#byHost.get(hostOfHeaders(req));
    if (!reg) return null;
    const need = requiredAccess(req.method, req.url);
    // Other paths on the host are left to the other authenticators and routes.
    if (need === undefined) return null;
    const challenge = (why: string) => {
      const scope = need.length > 0 ? `,scope="${need.map(formatScope).join(' ')}"` : '';
      return new RegistryChallenge(why, `Bearer realm="${this.realm(req)}",service="${reg.service}"${scope}`);
    };
    const token = bearerOf(req);
    if (token === undefined) throw challenge('a registry token is needed');
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.#keySet(), { issuer: this.keys.issuer, audience: reg.service, algorithms: ['ES256'] }));
    } catch {
      throw challenge('registry token invalid or expired');
    }
    if (typeof payload.jti === 'string' && this.revocations?.isJtiRevoked(payload.jti)) throw challenge('registry token revoked');
    const access = accessOf(payload);
    if (!covers(access, need)) throw challenge('insufficient scope');
    return { subject: typeof payload.sub === 'string' && payload.sub !== '' ? payload.sub : 'anonymous', groups: [], method: 'registry-token', claims: { access }, route: reg.route };
  }
}
