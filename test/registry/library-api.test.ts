// The token server as a library, in registry-token-auth's shape: an application's own
// Authenticator and Authorizer, ferry's JwtTokenGenerator, mounted in a plain Node server.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet, jwtVerify } from 'jose';
import t from 'tap';
import { request } from 'undici';
import { JwtTokenGenerator, TokenServer, type Access, type AuthorizationRequest, type RegistryAuthenticator, type RegistryAuthorizer } from '../../src/index.js';
import { FileStore } from '../../src/state/index.js';
import { StoredRefreshTokens } from '../../src/registry/index.js';
import { TokenIssuer, TokenKeyStore } from '../../src/tokens/index.js';

const dir = await mkdtemp(join(tmpdir(), 'ferry-registry-lib-'));
t.teardown(() => rm(dir, { recursive: true, force: true }));
const keys = await TokenKeyStore.open(join(dir, 'keys'), { issuer: 'my-app' });
const store = await FileStore.open({ dir: join(dir, 'state') });
t.teardown(async () => {
  await keys.close();
  await store.close();
});

const authenticator: RegistryAuthenticator = {
  authenticate: (user, password) => Promise.resolve(user === 'ci' && password === 'ci-secret' ? { subject: 'ci', groups: ['builders'] } : null),
};
// The application's own rule: builders push anything under ci/, everyone pulls.
const authorizer: RegistryAuthorizer = {
  authorize: (req: AuthorizationRequest): Access[] =>
    req.scopes.map((s) => ({ ...s, actions: s.actions.filter((a) => a === 'pull' || (a === 'push' && s.name.startsWith('ci/') && !!req.identity?.groups.includes('builders'))) })),
};
const server = new TokenServer({
  authenticator,
  authorizer,
  generator: new JwtTokenGenerator({ issuer: new TokenIssuer(keys), iss: 'my-app', ttlSeconds: 120 }),
  services: ['reg'],
  refreshTokens: new StoredRefreshTokens(store),
  jwks: () => keys.jwks(),
});
const http = createServer((req, res) => {
  const path = (req.url ?? '').split('?')[0]!;
  if (path.startsWith('/auth')) void server.handle(req, res, path.slice('/auth'.length));
  else res.writeHead(404).end();
});
await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
t.teardown(() => new Promise<void>((r) => http.close(() => r())));
const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}/auth`;

void t.test('GET with the application rules; the JWKS verifies by kid', async (t) => {
  const res = await request(`${base}?service=reg&scope=repository:ci/app:pull,push&scope=repository:prod/app:push`, {
    headers: { authorization: `Basic ${Buffer.from('ci:ci-secret').toString('base64')}` },
  });
  t.equal(res.statusCode, 200);
  const body = (await res.body.json()) as { token: string; expires_in: number };
  t.equal(body.expires_in, 120);
  const jwks = (await (await request(`${base}/jwks.json`)).body.json()) as Parameters<typeof createLocalJWKSet>[0];
  const { payload } = await jwtVerify(body.token, createLocalJWKSet(jwks), { issuer: 'my-app', audience: 'reg' });
  t.same(payload.access, [
    { type: 'repository', name: 'ci/app', actions: ['pull', 'push'] },
    { type: 'repository', name: 'prod/app', actions: [] },
  ]);
});

void t.test('POST offline, then the refresh token; the store keeps only its hash', async (t) => {
  const form = (f: Record<string, string>) => request(base, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(f).toString() });
  const first = (await (await form({ grant_type: 'password', service: 'reg', client_id: 'app', access_type: 'offline', username: 'ci', password: 'ci-secret', scope: 'repository:ci/x:push' })).body.json()) as { refresh_token: string; scope: string };
  t.equal(first.scope, 'repository:ci/x:push');
  const entries = await store.list('registry/refresh/');
  t.equal(entries.length, 1);
  t.notOk(JSON.stringify(entries).includes(first.refresh_token), 'not stored in clear');
  const again = await form({ grant_type: 'refresh_token', service: 'reg', client_id: 'app', refresh_token: first.refresh_token, scope: 'repository:ci/x:pull' });
  t.equal(again.statusCode, 200);
  await again.body.dump();
  const bad = await form({ grant_type: 'refresh_token', service: 'reg', client_id: 'app', refresh_token: `${first.refresh_token.slice(0, -2)}xx` });
  t.equal(bad.statusCode, 401);
  await bad.body.dump();
});
