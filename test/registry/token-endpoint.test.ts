// The token endpoint on a real controller process, and a real docker-registry 2.8 that
// trusts ferry's CA (rootcertbundle) pushed to and pulled from by a real skopeo 1.9.
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { calculateJwkThumbprint, createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, type JWK } from 'jose';
import t from 'tap';
import { request } from 'undici';
import { frontDoorClient } from '../../testkit/client.js';
import { startDockerRegistry } from '../../testkit/docker-registry.js';
import { exec } from '../../testkit/exec.js';
import { makeOciImage } from '../../testkit/oci-image.js';
import { startTunnelEnv } from '../../testkit/tunnel-env.js';

const SERVICE = 'ferry-registry';
const hash = (pw: string) => bcrypt.hashSync(pw, 4);
const PASSWORDS = { alice: 'alice-pw', bob: 'bob-pw', 'zoë': 'p:ä ss:' };

const env = await startTunnelEnv({
  registry: {
    services: [SERVICE, 'other'],
    tokenTtl: '5m',
    authenticators: [
      {
        kind: 'static',
        users: {
          alice: { password: hash(PASSWORDS.alice), groups: ['devs'] },
          bob: { password: hash(PASSWORDS.bob) },
          'zoë': { password: hash(PASSWORDS['zoë']) },
        },
      },
      { kind: 'ferry-token' },
    ],
    acl: [
      { match: { account: '/.+/', name: '${account}/*' }, actions: ['*'] },
      { match: { labels: { group: 'devs' } }, actions: ['pull', 'push'] },
      { match: { account: '/.+/' }, actions: ['pull'] },
    ],
  },
});
t.teardown(() => env.close());
const started = env.controller.lines.find((l) => l.msg === 'controller started')!;
const controlUrl = `https://127.0.0.1:${Number(started.control)}`;
const dispatcher = frontDoorClient(env.ca.certPem);
const base = `${env.frontDoorUrl}/registry/auth`;
const basic = (user: string, pw: string) => `Basic ${Buffer.from(`${user}:${pw}`, 'utf8').toString('base64')}`;
const caFile = join(env.dir, 'ca.crt');

async function get(query: string, auth?: string) {
  const res = await request(`${base}?${query}`, { dispatcher, headers: auth ? { authorization: auth } : {} });
  return { status: res.statusCode, headers: res.headers, body: (await res.body.json()) as Record<string, unknown> };
}

async function post(form: Record<string, string>) {
  const res = await request(base, {
    dispatcher,
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
  return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> };
}

void t.test('GET: a plain login gets an empty access; the JWT is ES256 with x5c [key cert, CA] and an RFC 7638 kid', async (t) => {
  const r = await get(`service=${SERVICE}&account=alice`, basic('alice', PASSWORDS.alice));
  t.equal(r.status, 200);
  t.equal(r.body.token, r.body.access_token);
  t.ok(Number.isInteger(r.body.expires_in) && (r.body.expires_in as number) >= 60);
  t.match(r.body.issued_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
  const token = r.body.token as string;
  const header = decodeProtectedHeader(token);
  t.equal(header.alg, 'ES256');
  t.equal(header.typ, 'JWT');
  t.equal(header.x5c?.length, 2);
  const ca = new X509Certificate(Buffer.from(header.x5c![1]!, 'base64'));
  t.equal(ca.fingerprint256, new X509Certificate(env.ca.certPem).fingerprint256, 'x5c ends in the CA (standard base64 DER)');
  const leaf = new X509Certificate(Buffer.from(header.x5c![0]!, 'base64'));
  t.ok(leaf.verify(ca.publicKey), 'the key certificate is signed by the CA');
  const jwk = leaf.publicKey.export({ format: 'jwk' }) as JWK;
  t.equal(header.kid, await calculateJwkThumbprint({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }, 'sha256'));
  const claims = decodeJwt(token);
  t.equal(claims.iss, `ferry:${env.ca.trustDomain}`);
  t.equal(claims.sub, 'alice');
  t.equal(claims.aud, SERVICE, 'aud is one string');
  for (const k of ['exp', 'nbf', 'iat'] as const) t.ok(Number.isInteger(claims[k]), `${k} whole seconds`);
  t.type(claims.jti, 'string');
  t.same(claims.access, []);
  // The JWKS verifies the token by kid alone.
  const jwks = await request(`${base}/jwks.json`, { dispatcher });
  const set = (await jwks.body.json()) as { keys: JWK[] };
  const { payload } = await jwtVerify(token, createLocalJWKSet(set), { audience: SERVICE });
  t.equal(payload.sub, 'alice');
});

void t.test('GET: repeated scopes are merged and intersected with the ACL; a denial is 200 with no actions', async (t) => {
  const q = `service=${SERVICE}&scope=repository:alice/app:pull&scope=repository:alice/app:push&scope=repository:bob/app:pull,push&scope=registry:catalog:*`;
  const alice = decodeJwt((await get(q, basic('alice', PASSWORDS.alice))).body.token as string);
  t.same(alice.access, [
    { type: 'repository', name: 'alice/app', actions: ['pull', 'push'] },
    { type: 'repository', name: 'bob/app', actions: ['pull', 'push'] },
    { type: 'registry', name: 'catalog', actions: [] },
  ]);
  const bob = await get(`service=${SERVICE}&scope=repository:alice/app:pull,push`, basic('bob', PASSWORDS.bob));
  t.equal(bob.status, 200);
  t.same(decodeJwt(bob.body.token as string).access, [{ type: 'repository', name: 'alice/app', actions: ['pull'] }]);
  const anon = await get(`service=${SERVICE}&scope=repository:alice/app:pull`);
  t.equal(anon.status, 200, 'anonymous asks, gets nothing');
  t.same(decodeJwt(anon.body.token as string).access, [{ type: 'repository', name: 'alice/app', actions: [] }]);
});

void t.test('bad input and bad credentials', async (t) => {
  const wrong = await get(`service=${SERVICE}`, basic('alice', 'not-her-password'));
  t.equal(wrong.status, 401);
  t.match(wrong.headers['www-authenticate'], /^Basic /);
  t.equal((await get(`service=${SERVICE}`, basic('mallory', 'x'))).status, 401, 'unknown user');
  t.equal((await get(`service=${SERVICE}&account=bob`, basic('alice', PASSWORDS.alice))).status, 400, 'account differs from the user');
  t.equal((await get(`service=nope`, basic('alice', PASSWORDS.alice))).status, 400, 'unknown service');
  t.equal((await get(`scope=repository:a:pull`, basic('alice', PASSWORDS.alice))).status, 400, 'no service');
  t.equal((await get(`service=${SERVICE}&scope=repository:a`, basic('alice', PASSWORDS.alice))).status, 400, 'malformed scope');
  const many = Array.from({ length: 5000 }, (_, i) => `repository:r${i}:pull`).join(' ');
  const big = await post({ grant_type: 'password', service: SERVICE, client_id: 'x', username: 'alice', password: PASSWORDS.alice, scope: many.repeat(5) });
  t.ok(big.status === 400 || big.status === 413, `hundreds of KB of scopes refused (${big.status})`);
  // 1 MB of scopes in the URL: refused before any parsing (the front door's header limit), the server unharmed.
  const hugeQuery = `service=${SERVICE}&${'scope=repository:x:pull&'.repeat(40_000)}`;
  const huge = await request(`${base}?${hugeQuery}`, { dispatcher, headers: { authorization: basic('alice', PASSWORDS.alice) } }).then(
    async (r) => (await r.body.dump(), r.statusCode),
    () => 'reset',
  );
  t.ok(huge === 431 || huge === 414 || huge === 400 || huge === 'reset', `1 MB of scopes in the URL refused (${huge})`);
  t.equal((await get(`service=${SERVICE}&scope=${Array.from({ length: 101 }, (_, i) => `repository:r${i}:pull`).join('+')}`, basic('alice', PASSWORDS.alice))).status, 400, 'over 100 scopes');
  const colon = await get(`service=${SERVICE}&account=${encodeURIComponent('zoë')}`, basic('zoë', PASSWORDS['zoë']));
  t.equal(colon.status, 200, 'a password with ":" and non-ASCII, a non-ASCII user name');
  const logs = env.controller.raw.join('\n');
  for (const pw of [...Object.values(PASSWORDS), 'not-her-password']) t.notOk(logs.includes(pw), 'no password in the logs');
});

void t.test('POST: password grant with offline access, refresh grant, other service, revocation', async (t) => {
  const first = await post({ grant_type: 'password', service: SERVICE, client_id: 'skopeo', access_type: 'offline', username: 'alice', password: PASSWORDS.alice, scope: 'repository:alice/app:pull,push repository:x/y:delete' });
  t.equal(first.status, 200);
  t.equal(first.body.token, first.body.access_token);
  t.equal(first.body.scope, 'repository:alice/app:pull,push');
  const refresh = first.body.refresh_token as string;
  t.match(refresh, /^fr_/);
  const state = env.controller.raw.join('\n');
  t.notOk(state.includes(refresh), 'the refresh token is not logged');
  const again = await post({ grant_type: 'refresh_token', service: SERVICE, client_id: 'skopeo', refresh_token: refresh, scope: 'repository:alice/app:pull' });
  t.equal(again.status, 200);
  t.same(decodeJwt(again.body.access_token as string).access, [{ type: 'repository', name: 'alice/app', actions: ['pull'] }]);
  t.equal((await post({ grant_type: 'refresh_token', service: 'other', client_id: 'skopeo', refresh_token: refresh })).status, 401, 'another service');
  t.equal((await post({ grant_type: 'password', service: SERVICE, client_id: 'c', username: 'alice', password: 'bad' })).status, 401);
  t.equal((await post({ grant_type: 'magic', service: SERVICE, client_id: 'c' })).status, 400);
  // Revoked through the control API (a control certificate): refused from then on.
  const control = await env.ca.issueClient({ kind: 'control', name: 'ops' });
  const { Agent } = await import('undici');
  const ops = new Agent({ connect: { ca: env.ca.certPem, cert: control.certPem, key: control.keyPem, servername: 'localhost' } });
  const list = await request(`${controlUrl}/api/v1/registry/refresh-tokens`, { dispatcher: ops });
  const listed = (await list.body.json()) as { subject: string }[];
  t.ok(listed.some((e) => e.subject === 'alice'));
  t.notOk(JSON.stringify(listed).includes(refresh), 'the list shows ids, not tokens');
  const rev = await request(`${controlUrl}/api/v1/registry/refresh-tokens/revoke`, { dispatcher: ops, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: refresh }) });
  t.same(await rev.body.json(), { revoked: 1 });
  t.equal((await post({ grant_type: 'refresh_token', service: SERVICE, client_id: 'skopeo', refresh_token: refresh })).status, 401, 'revoked');
  await ops.close();
});

void t.test('docker-registry 2.8 trusts the tokens: skopeo pushes, lists, pulls; the ACL is enforced by the registry', async (t) => {
  const registry = await startDockerRegistry({ realm: base.replace('127.0.0.1', 'localhost'), service: SERVICE, issuer: `ferry:${env.ca.trustDomain}`, rootCertBundle: caFile });
  const work = await mkdtemp(join(tmpdir(), 'ferry-skopeo-'));
  t.teardown(async () => {
    await registry.close();
    await rm(work, { recursive: true, force: true });
  });
  // skopeo's TLS for the realm: ferry's CA in a cert dir.
  await writeFile(join(work, 'ca.crt'), env.ca.certPem);
  const image = await makeOciImage(join(work, 'image'));
  const host = `127.0.0.1:${registry.port}`;
  const skopeo = (...args: string[]) => exec('skopeo', ['--registries-conf', '/dev/null', ...args], { timeoutMs: 60_000, env: { ...process.env, HOME: work, SSL_CERT_FILE: caFile } });
  const creds = (u: keyof typeof PASSWORDS) => `${u}:${PASSWORDS[u]}`;

  const push = await skopeo('copy', '--dest-tls-verify=false', '--dest-creds', creds('alice'), `oci:${image.dir}:v1`, `docker://${host}/alice/app:v1`);
  t.equal(push.code, 0, `push: ${push.stderr}${push.code ? registry.output().slice(-2000) : ''}`);
  const tags = await skopeo('list-tags', '--tls-verify=false', '--creds', creds('alice'), `docker://${host}/alice/app`);
  t.equal(tags.code, 0, tags.stderr);
  t.same((JSON.parse(tags.stdout || '{}') as { Tags?: string[] }).Tags, ['v1']);
  const out = join(work, 'pulled');
  const pull = await skopeo('copy', '--src-tls-verify=false', '--src-creds', creds('bob'), `docker://${host}/alice/app:v1`, `oci:${out}:v1`);
  t.equal(pull.code, 0, pull.stderr);
  const index = JSON.parse(await readFile(join(out, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
  const manifest = JSON.parse(await readFile(join(out, 'blobs', 'sha256', index.manifests[0]!.digest.slice(7)), 'utf8')) as { layers: { digest: string }[] };
  t.equal(manifest.layers[0]!.digest, image.layerDigest, 'the pulled layer digest equals the pushed one');

  const denied = await skopeo('copy', '--dest-tls-verify=false', '--dest-creds', creds('bob'), `oci:${image.dir}:v1`, `docker://${host}/alice/app:v2`);
  t.not(denied.code, 0, 'bob may not push to alice/app: the registry refuses');
  t.match(denied.stderr, /denied|unauthorized|authentication required/i);
  const wrong = await skopeo('list-tags', '--tls-verify=false', '--creds', 'alice:wrong', `docker://${host}/alice/app`);
  t.not(wrong.code, 0, 'a wrong password fails');

  // A ferry token (here a service token; a `ferry user` login's the same way) as the password.
  const ferryToken = await env.token('a1', 'x-app', 'web', { sub: 'ann' });
  const login = await skopeo('login', '--tls-verify=false', '--authfile', join(work, 'auth.json'), '-u', 'ann', '-p', ferryToken, host);
  t.equal(login.code, 0, `skopeo login with a ferry token: ${login.stderr}`);
  const annPull = await skopeo('list-tags', '--tls-verify=false', '--creds', `ann:${ferryToken}`, `docker://${host}/alice/app`);
  t.equal(annPull.code, 0, 'and reads with it (ACL: logged-in users pull)');
  t.notOk(env.controller.raw.join('\n').includes(ferryToken), 'the token is not logged');

  // Cross-repository mount: alice copies the image into a second repository of hers.
  const copy = await skopeo('copy', '--src-tls-verify=false', '--dest-tls-verify=false', '--src-creds', creds('alice'), '--dest-creds', creds('alice'), `docker://${host}/alice/app:v1`, `docker://${host}/alice/copy:v1`);
  t.equal(copy.code, 0, copy.stderr);
  const two = env.controller.lines.some((l) => l.msg === 'registry token issued' && typeof l.access === 'string' && l.access.includes('alice/copy:') && l.access.includes('alice/app:'));
  t.ok(two, 'a token was asked for both repositories (the mount)');
});
