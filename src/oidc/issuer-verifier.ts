// Verifies ID tokens of one configured OpenID Connect issuer: discovery, then its JWKS
// (fetched with jose's remote key set, re-read on an unknown `kid` at most once per
// cooldown, and every `jwksRefresh`); the last good keys are kept when the provider cannot be
// reached. The algorithms allowed are those of the JWKS keys: never `none`, never HMAC.
import { Agent, fetch as undiciFetch } from 'undici';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  customFetch,
  decodeProtectedHeader,
  errors as joseErrors,
  jwtVerify,
  type FetchImplementation,
  type JSONWebKeySet,
  type JWTPayload,
} from 'jose';
import type { OidcIssuerConfig } from '../config/oidc-config.js';
import { FerryError, messageOf } from '../errors.js';
import type { LogFn } from '../observability/log-fn.js';

export interface OidcIdentity {
  issuer: string;
  /** The username claim with its prefix. */
  subject: string;
  groups: string[];
  claims: JWTPayload;
}

export interface IssuerVerifierOptions {
  log?: LogFn;
  /** PEM of the CA the provider's certificate chains to (from `ca`). */
  caPem?: string;
  /** Clock in ms (tests). */
  now?: () => number;
  /** Minimum time between two JWKS reads caused by unknown kids (default 10 s). */
  cooldownMs?: number;
}

const ASYMMETRIC = /^(RS|PS|ES)(256|384|512)$|^EdDSA$|^Ed25519$|^ES256K$/;

/** The algorithm each key may be used with: its `alg`, or the usual one for its type. */
function algorithmsOf(jwks: JSONWebKeySet): string[] {
  const algs = new Set<string>();
  for (const k of jwks.keys) {
    if (k.use !== undefined && k.use !== 'sig') continue;
    const alg = k.alg ?? (k.kty === 'RSA' ? 'RS256' : k.kty === 'EC' ? ({ 'P-256': 'ES256', 'P-384': 'ES384', 'P-521': 'ES512' } as Record<string, string>)[k.crv ?? ''] : k.kty === 'OKP' ? 'EdDSA' : undefined);
    if (alg && ASYMMETRIC.test(alg)) algs.add(alg);
  }
  return [...algs];
}

function unauthenticated(reason: string): FerryError {
  return new FerryError('FERRY_ERR_UNAUTHENTICATED', reason);
}

function fromJoseError(err: unknown): FerryError {
  if (err instanceof FerryError) return err;
  if (err instanceof joseErrors.JWTExpired) return unauthenticated('ID token expired');
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return unauthenticated('ID token: bad signature');
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return unauthenticated('ID token: algorithm not allowed');
  if (err instanceof joseErrors.JWKSNoMatchingKey) return unauthenticated('ID token: no matching key');
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    if (err.claim === 'aud') return unauthenticated('ID token: wrong audience');
    if (err.claim === 'nbf') return unauthenticated('ID token not yet valid');
    if (err.reason === 'missing') return unauthenticated(`ID token: missing ${err.claim} claim`);
    return unauthenticated(`ID token: bad ${err.claim} claim`);
  }
  if (err instanceof joseErrors.JOSEError) return unauthenticated('ID token: malformed');
  return new FerryError('FERRY_ERR_INTERNAL', 'ID token verification failed unexpectedly', { cause: err });
}

export class IssuerVerifier {
  readonly issuer: string;
  private readonly log: LogFn;
  private readonly dispatcher: Agent;
  private readonly fetchJson: FetchImplementation;
  private remote: ReturnType<typeof createRemoteJWKSet> | undefined;
  private keys: ReturnType<typeof createLocalJWKSet> | undefined;
  private algorithms: string[] = [];
  private fetchedAt = 0;
  private lastTry = 0;
  private lastUnknownKid = 0;
  private refreshing: Promise<void> | undefined;
  private readonly cooldownMs: number;
  private readonly now: () => number;

  constructor(
    private readonly config: OidcIssuerConfig,
    options: IssuerVerifierOptions = {},
  ) {
    this.issuer = config.issuer;
    const url = new URL(config.issuer);
    if (url.protocol !== 'https:' && !(config.allowPlainHttp && url.protocol === 'http:')) {
      throw new FerryError('FERRY_ERR_BAD_CONFIG', `oidc.issuers: ${config.issuer}: the issuer must be https (allowPlainHttp: true for a test provider)`);
    }
    this.log = options.log ?? (() => undefined);
    this.now = options.now ?? Date.now;
    this.cooldownMs = options.cooldownMs ?? 10_000;
    this.dispatcher = new Agent({ connect: options.caPem ? { ca: options.caPem } : {}, headersTimeout: 5000, bodyTimeout: 5000 });
    // Redirects are not followed: a provider's discovery and keys are where it says they are.
    this.fetchJson = (u, init) =>
      undiciFetch(u, { method: init.method, headers: Object.fromEntries(init.headers.entries()), signal: init.signal, redirect: 'manual', dispatcher: this.dispatcher });
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }

  /**
   * Verified tokens, so kubectl's many requests with one token cost one signature check
   * (RS256 measured ~0.3 ms each here). Only verified tokens enter; emptied when the keys change.
   */
  private readonly verified = new Map<string, OidcIdentity>();

  /** The verified identity of an ID token of this issuer; FERRY_ERR_UNAUTHENTICATED otherwise. */
  async verify(token: string, audience = this.config.clientId): Promise<OidcIdentity> {
    const known = audience === this.config.clientId ? this.verified.get(token) : undefined;
    if (known) {
      const exp = known.claims.exp ?? 0;
      if (exp + this.config.leeway > this.now() / 1000) return known;
      this.verified.delete(token);
      throw unauthenticated('ID token expired');
    }
    let kid: string | undefined;
    try {
      kid = decodeProtectedHeader(token).kid;
    } catch {
      throw unauthenticated('ID token: malformed');
    }
    await this.keysFor(kid);
    const keys = this.keys!;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer: this.config.issuer,
        audience,
        algorithms: this.algorithms,
        clockTolerance: this.config.leeway,
        requiredClaims: ['exp', 'iat', 'sub'],
        currentDate: new Date(this.now()),
      }));
    } catch (err) {
      throw fromJoseError(err);
    }
    const identity: OidcIdentity = { issuer: this.issuer, claims: payload, ...this.identityOf(payload) };
    if (audience === this.config.clientId) {
      if (this.verified.size >= 10_000) this.verified.clear();
      this.verified.set(token, identity);
    }
    return identity;
  }

  private identityOf(claims: JWTPayload): { subject: string; groups: string[] } {
    const c = this.config;
    const name = claims[c.usernameClaim];
    if (typeof name !== 'string' || name === '') throw unauthenticated(`ID token: no ${c.usernameClaim} claim`);
    // As the API server does: an email that the provider says is unverified names nobody.
    if (c.usernameClaim === 'email' && claims['email_verified'] === false) throw unauthenticated('ID token: email not verified');
    const raw = claims[c.groupsClaim];
    const list = typeof raw === 'string' ? [raw] : Array.isArray(raw) ? raw.filter((g): g is string => typeof g === 'string' && g !== '') : [];
    return { subject: c.usernamePrefix + name, groups: list.map((g) => c.groupsPrefix + g) };
  }

  /** Keys that can verify `kid`: re-read when the kid is unknown (rate-limited) or the keys are old. */
  private async keysFor(kid: string | undefined): Promise<void> {
    const now = this.now();
    if (this.keys) {
      const known = kid === undefined || this.knownKid(kid);
      if (known && now - this.fetchedAt < this.config.jwksRefresh * 1000) return;
      if (known) {
        void this.refresh().catch(() => undefined); // in the background; the current keys verify meanwhile
        return;
      }
      if (now - this.lastUnknownKid < this.cooldownMs) return;
      this.lastUnknownKid = now;
      await this.refresh().catch(() => undefined);
      return;
    }
    if (now - this.lastTry < Math.min(this.cooldownMs, 1000) && !this.refreshing) {
      throw new FerryError('FERRY_ERR_UNAVAILABLE', `identity provider ${this.issuer}: signing keys not available yet`);
    }
    try {
      await this.refresh();
    } catch (err) {
      throw new FerryError('FERRY_ERR_UNAVAILABLE', `identity provider ${this.issuer}: cannot read its signing keys: ${messageOf(err)}`);
    }
  }

  private lastJwks: JSONWebKeySet | undefined;

  private knownKid(kid: string): boolean {
    return this.lastJwks?.keys.some((k) => k.kid === kid) ?? false;
  }

  private refresh(): Promise<void> {
    this.refreshing ??= this.load().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async load(): Promise<void> {
    this.lastTry = this.now();
    try {
      this.remote ??= createRemoteJWKSet(await this.discoverJwksUri(), {
        timeoutDuration: 5000,
        cooldownDuration: 0,
        cacheMaxAge: Infinity,
        [customFetch]: this.fetchJson,
      });
      await this.remote.reload();
      const jwks = this.remote.jwks();
      if (!jwks) throw new Error('no keys');
      const algorithms = algorithmsOf(jwks);
      if (algorithms.length === 0) throw new Error('the JWKS has no signing key ferry accepts');
      if (JSON.stringify(jwks) !== JSON.stringify(this.lastJwks)) this.verified.clear();
      this.lastJwks = jwks;
      this.keys = createLocalJWKSet(jwks);
      this.algorithms = algorithms;
      this.fetchedAt = this.now();
      this.log('info', 'oidc: signing keys read', { issuer: this.issuer, keys: jwks.keys.length });
    } catch (err) {
      this.log('warn', this.keys ? 'oidc: cannot re-read signing keys; keeping the last good ones' : 'oidc: cannot read signing keys', {
        issuer: this.issuer,
        reason: messageOf(err),
      });
      throw err;
    }
  }

  private async discoverJwksUri(): Promise<URL> {
    const url = `${this.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
    const res = await undiciFetch(url, { redirect: 'manual', dispatcher: this.dispatcher, signal: AbortSignal.timeout(5000) });
    if (res.status !== 200) throw new Error(`discovery answered ${res.status}`);
    const doc = (await res.json()) as { issuer?: unknown; jwks_uri?: unknown };
    if (doc.issuer !== this.issuer) throw new Error('discovery names another issuer');
    if (typeof doc.jwks_uri !== 'string') throw new Error('discovery has no jwks_uri');
    const jwksUri = new URL(doc.jwks_uri);
    if (jwksUri.protocol !== 'https:' && !(this.config.allowPlainHttp && jwksUri.protocol === 'http:')) throw new Error('jwks_uri is not https');
    return jwksUri;
  }
}
