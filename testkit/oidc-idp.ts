// A real OpenID Connect provider for tests: the `oidc-provider` package (v9) on a free
// loopback port, its accounts checked by a PasswordChecker (the LDAP backend over testkit's
// slapd). A small login form stands in for a company's login page. Around the provider:
// a count of requests per path (to prove a cached token makes no IdP request), a JWKS the
// test can extend with a new key (rotation) or make fail, and signing with the provider's
// own keys (to forge expired, wrong-audience… tokens that are otherwise genuine).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload, type CryptoKey } from 'jose';
import Provider, { type Configuration } from 'oidc-provider';
import type { PasswordChecker, PasswordIdentity } from '../src/passwords/types.js';

export const IDP_CLIENT_ID = 'ferry-kubectl';

export interface IdpOptions {
  checker: PasswordChecker;
  /** ID and access token life in seconds (default 300). */
  idTokenTtl?: number;
  /** Device code life in seconds (default 600). */
  deviceCodeTtl?: number;
}

interface SigningKey {
  kid: string;
  alg: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export interface TestIdp {
  issuer: string;
  clientId: string;
  /** Requests seen, by method and path (query left off). */
  requests: { method: string; path: string }[];
  count(pathPrefix: string): number;
  /** Sign claims with the provider's key (default: a complete, valid ID token for `sub`). */
  sign(claims: JWTPayload, opts?: { key?: SigningKey; header?: Record<string, unknown> }): Promise<string>;
  /** The provider's own signing key. */
  key: SigningKey;
  /** A new key, published in the JWKS from now on (the provider itself keeps signing with its own). */
  addKey(): Promise<SigningKey>;
  /** While true, the JWKS endpoint answers 500. */
  jwksDown: boolean;
  /** The next this many token requests are answered `slow_down` (oidc-provider never sends it). */
  slowDownNext: number;
  /** The next this many token answers lose their id_token (OIDC Core §12.2 allows it on refresh). */
  dropIdTokenNext: number;
  /** While true, the device authorization answer says `verification_url` (as Google's does). */
  googleDeviceNames: boolean;
  /** Everyone who logged in, by subject. */
  accounts: Map<string, PasswordIdentity>;
  close(): Promise<void>;
}

async function newKey(alg: 'RS256' | 'ES256', kid: string): Promise<SigningKey & { privateJwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg, use: 'sig' };
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { kid, alg, privateKey, publicJwk, privateJwk };
}

function readBody(req: IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => resolve(new URLSearchParams(body)));
    req.on('error', reject);
  });
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function loginPage(uid: string, error?: string): string {
  return `<!doctype html><html><body><h1>Company login</h1>${error ? `<p id="error">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/interaction/${uid}/login">
<input name="username" id="username" autocomplete="off"><input name="password" id="password" type="password">
<button type="submit" id="submit">Sign in</button></form></body></html>`;
}

export async function startIdp(opts: IdpOptions): Promise<TestIdp> {
  const server: Server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const issuer = `http://127.0.0.1:${port}`;
  const key = await newKey('RS256', 'idp-key-1');
  const extra: SigningKey[] = [];
  const accounts = new Map<string, PasswordIdentity>();
  const ttl = opts.idTokenTtl ?? 300;

  const configuration: Configuration = {
    clients: [
      {
        client_id: IDP_CLIENT_ID,
        token_endpoint_auth_method: 'none',
        application_type: 'native',
        redirect_uris: ['http://127.0.0.1/callback', 'http://localhost/callback'],
        grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
        response_types: ['code'],
      },
    ],
    jwks: { keys: [key.privateJwk] },
    cookies: { keys: ['test-cookie-key-1'] },
    scopes: ['openid', 'offline_access', 'email', 'groups'],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], groups: ['groups'] },
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: false }, deviceFlow: { enabled: true }, revocation: { enabled: true } },
    ttl: { IdToken: ttl, AccessToken: ttl, RefreshToken: 3600, DeviceCode: opts.deviceCodeTtl ?? 600, Interaction: 600, Session: 3600, Grant: 3600 },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    issueRefreshToken: (_ctx, client) => Promise.resolve(client.grantTypeAllowed('refresh_token')),
    // Consent is implied: a company's own kubectl client needs no approval screen.
    loadExistingGrant: async (ctx) => {
      const accountId = ctx.oidc.session?.accountId;
      const client = ctx.oidc.client;
      if (!accountId || !client) return undefined;
      const grantId = ctx.oidc.session?.grantIdFor(client.clientId);
      if (grantId) {
        const found = await ctx.oidc.provider.Grant.find(grantId);
        if (found) return found;
      }
      const grant = new ctx.oidc.provider.Grant({ accountId, clientId: client.clientId });
      grant.addOIDCScope('openid offline_access email groups');
      await grant.save();
      return grant;
    },
    findAccount: (_ctx, id) => {
      const known = accounts.get(id);
      if (!known) return undefined;
      return {
        accountId: id,
        claims: () => ({ sub: id, email: known.labels?.['mail']?.[0] ?? `${id}@ferry.test`, email_verified: true, groups: known.groups }),
      };
    },
  };
  const provider = new Provider(issuer, configuration);
  const callback = provider.callback();
  const requests: { method: string; path: string }[] = [];
  const idp: TestIdp = {
    issuer,
    clientId: IDP_CLIENT_ID,
    requests,
    count: (prefix) => requests.filter((r) => r.path.startsWith(prefix)).length,
    key,
    jwksDown: false,
    slowDownNext: 0,
    dropIdTokenNext: 0,
    googleDeviceNames: false,
    accounts,
    async sign(claims, o = {}) {
      const k = o.key ?? key;
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ iss: issuer, aud: IDP_CLIENT_ID, iat: now, exp: now + 300, ...claims })
        .setProtectedHeader({ alg: k.alg, kid: k.kid, typ: 'JWT', ...o.header })
        .sign(k.privateKey);
    },
    async addKey() {
      const k = await newKey('ES256', `idp-key-${extra.length + 2}`);
      extra.push(k);
      return k;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };

  const interaction = async (req: IncomingMessage, res: ServerResponse, path: string) => {
    const details = await provider.interactionDetails(req, res);
    // Consent is implied (the client asks prompt=consent to get a refresh token).
    if (details.prompt.name === 'consent' && details.session?.accountId) {
      const grant = new provider.Grant({ accountId: details.session.accountId, clientId: String(details.params['client_id']) });
      grant.addOIDCScope(String(details.params['scope']));
      const grantId = await grant.save();
      await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
      return;
    }
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/html' }).end(loginPage(details.uid));
      return;
    }
    if (!path.endsWith('/login')) {
      res.writeHead(404).end();
      return;
    }
    const form = await readBody(req);
    const id = await opts.checker.check(form.get('username') ?? '', form.get('password') ?? '');
    if (!id) {
      res.writeHead(200, { 'content-type': 'text/html' }).end(loginPage(details.uid, 'Invalid username or password'));
      return;
    }
    accounts.set(id.subject, id);
    await provider.interactionFinished(req, res, { login: { accountId: id.subject } }, { mergeWithLastSubmission: false });
  };

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0]!;
    requests.push({ method: req.method ?? 'GET', path });
    if (path === '/jwks') {
      if (idp.jwksDown) {
        res.writeHead(500).end();
        return;
      }
      const body = JSON.stringify({ keys: [key.publicJwk, ...extra.map((k) => k.publicJwk)] });
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
      return;
    }
    if (req.method === 'POST' && path === '/token' && idp.slowDownNext > 0) {
      idp.slowDownNext--;
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'slow_down', error_description: 'you are polling too quickly' }));
      return;
    }
    if (req.method === 'POST' && path === '/token' && idp.dropIdTokenNext > 0) {
      idp.dropIdTokenNext--;
      const end = res.end.bind(res) as (chunk?: unknown) => ServerResponse;
      res.end = ((chunk?: unknown) => {
        if (typeof chunk !== 'string' && !Buffer.isBuffer(chunk)) return end(chunk);
        const answer = JSON.parse(chunk.toString()) as Record<string, unknown>;
        delete answer['id_token'];
        const body = JSON.stringify(answer);
        if (!res.headersSent) res.setHeader('content-length', Buffer.byteLength(body));
        return end(body);
      }) as typeof res.end;
    }
    if (req.method === 'POST' && path === '/device/auth' && idp.googleDeviceNames) {
      // Same length, so the provider's content-length still holds.
      const end = res.end.bind(res) as (chunk?: unknown) => ServerResponse;
      res.end = ((chunk?: unknown) => end(typeof chunk === 'string' || Buffer.isBuffer(chunk) ? chunk.toString().replace('"verification_uri"', '"verification_url"') : chunk)) as typeof res.end;
    }
    if (path.startsWith('/interaction/')) {
      interaction(req, res, path).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(err));
      });
      return;
    }
    void callback(req, res);
  });
  return idp;
}
