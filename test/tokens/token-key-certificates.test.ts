// Token keys and the CA: a key from an old data folder (no .crt) is certified when opened
// with a CA, a certificate nearing expiry is renewed, and keys rotated by one process reach
// another through the shared store. Time is moved with the injectable clocks.
import { readFile, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeProtectedHeader } from 'jose';
import t from 'tap';
import { createCA } from '../../src/pki/index.js';
import { FileStore } from '../../src/state/index.js';
import { controlAudience, RevocationList, TokenIssuer, TokenKeyStore, TokenVerifier } from '../../src/tokens/index.js';

const ISSUER = 'ferry:test';
const DAY = 86_400_000;
const root = await mkdtemp(join(tmpdir(), 'ferry-token-certs-'));
t.teardown(() => rm(root, { recursive: true, force: true }));
const ca = await createCA();
let certified = 0;
const certify = (days: number) => (publicKeyPem: string) => {
  certified++;
  return Promise.resolve([ca.certifyPublicKey(publicKeyPem, 'ferry token signer', { validityDays: days }).certPem, ca.certPem]);
};

void t.test('a key without a certificate (an old data folder) is certified on open', async (t) => {
  const dir = join(root, 'old', 'token-keys');
  const old = await TokenKeyStore.open(dir, { issuer: ISSUER });
  t.equal(old.signingKey().x5c, undefined, 'made without a CA');
  const before = certified;
  const store = await TokenKeyStore.open(dir, { issuer: ISSUER, certify: certify(365) });
  t.teardown(() => store.close());
  t.equal(certified, before + 1);
  const key = store.signingKey();
  t.equal(key.kid, old.signingKey().kid, 'the same key');
  t.equal(key.x5c?.length, 2);
  t.equal((await stat(key.file.replace(/\.pem$/, '.crt'))).mode & 0o777, 0o600, 'chain written beside the key');
  const header = decodeProtectedHeader((await new TokenIssuer(store).issue({ purpose: 'control', sub: 'ops', aud: controlAudience(), ttlSeconds: 60 })).token);
  t.same(header.x5c, key.x5c, 'its tokens carry x5c');
  const again = await TokenKeyStore.open(dir, { issuer: ISSUER, certify: certify(365) });
  t.teardown(() => again.close());
  t.equal(certified, before + 1, 'a valid certificate is kept');
});

void t.test('a certificate with under a third of its life left is renewed', async (t) => {
  const dir = join(root, 'expiring', 'token-keys');
  const store = await TokenKeyStore.open(dir, { issuer: ISSUER, certify: certify(3) });
  t.teardown(() => store.close());
  const first = store.signingKey();
  const before = certified;
  const later = await TokenKeyStore.open(dir, { issuer: ISSUER, certify: certify(3), now: () => Date.now() + 2.5 * DAY });
  t.teardown(() => later.close());
  t.equal(certified, before + 1, 'asked the CA again');
  const renewed = later.signingKey();
  t.equal(renewed.kid, first.kid, 'same key');
  // The CA's own clock is real time, so the new certificate differs by serial, not (here) by date.
  t.not(renewed.x5c?.[0], first.x5c?.[0], 'a new certificate');
  t.match(await readFile(renewed.file.replace(/\.pem$/, '.crt'), 'utf8'), /BEGIN CERTIFICATE/);
  await store.reload();
  t.same(store.signingKey().x5c, renewed.x5c, 'the renewed chain is what the store holds');
});

void t.test('a key rotated by one process verifies in another within 2 s (shared store, watch)', async (t) => {
  const dir = join(root, 'shared');
  const storeA = await FileStore.open({ dir });
  const storeB = await FileStore.open({ dir });
  const a = await TokenKeyStore.onStore(storeA, { issuer: ISSUER, certify: certify(365) });
  const b = await TokenKeyStore.onStore(storeB, { issuer: ISSUER, certify: certify(365), createIfEmpty: false });
  t.teardown(async () => {
    await a.close();
    await b.close();
    await storeA.close();
    await storeB.close();
  });
  const verifier = new TokenVerifier(b);
  const rotated = await a.rotate();
  const started = Date.now();
  while (!b.findKey(rotated.kid) && Date.now() - started < 2000) await new Promise((resolve) => setTimeout(resolve, 20));
  t.ok(b.findKey(rotated.kid), `b knows the new key after ${Date.now() - started} ms`);
  const { token } = await new TokenIssuer(a).issue({ purpose: 'control', sub: 'ops', aud: controlAudience(), ttlSeconds: 60 });
  t.ok(await verifier.verify(token, { audience: controlAudience() }), 'b verifies a token a signed with it');
  t.same(b.jwks().keys.map((k) => k.kid), a.jwks().keys.map((k) => k.kid), 'both list the same keys');
  t.ok(b.jwks().keys.every((k) => Array.isArray(k.x5c) && k.x5c.length === 2), 'every JWKS key carries x5c');
});

void t.test('the injectable clocks: issued-at, expiry and revocation pruning follow them', async (t) => {
  const store = await TokenKeyStore.open(join(root, 'clock', 'token-keys'), { issuer: ISSUER });
  t.teardown(() => store.close());
  const t0 = Date.parse('2030-01-01T00:00:00Z');
  let now = t0;
  const clock = () => now;
  const { token, claims } = await new TokenIssuer(store, { now: clock }).issue({ purpose: 'control', sub: 'ops', aud: controlAudience(), ttlSeconds: 60 });
  t.equal(claims.iat, t0 / 1000, 'iat from the clock');
  const verifier = new TokenVerifier(store, { now: clock, cacheSize: 0 });
  t.ok(await verifier.verify(token, { audience: controlAudience() }), 'valid at t0');
  now = t0 + 120_000;
  await t.rejects(verifier.verify(token, { audience: controlAudience() }), { message: 'token expired' });

  const file = join(root, 'clock', 'revoked.json');
  const list = await RevocationList.open(file, { now: clock });
  await list.revokeJti('short', t0 / 1000 + 10);
  t.same(list.list().jtis[0]?.revokedAt, now / 1000, 'revokedAt from the clock');
  now = t0 + DAY;
  await list.revokeJti('other');
  t.notOk(list.isJtiRevoked('short'), 'pruned a day after its exp');
  const saved = JSON.parse(await readFile(file, 'utf8')) as { jtis: { jti: string }[] };
  t.same(saved.jtis.map((e) => e.jti), ['other'], 'and gone from the file');
});
