import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, UnsecuredJWT, importPKCS8 } from 'jose';
import t, { type Test } from 'tap';
import { FerryError } from '../../src/errors.js';
import {
  RevocationList,
  TokenIssuer,
  TokenKeyStore,
  TokenVerifier,
  bootstrapAudience,
  controlAudience,
  kubectlAudience,
  serviceAudience,
} from '../../src/tokens/index.js';

const ISSUER = 'https://ferry.test';
const dir = await mkdtemp(join(tmpdir(), 'ferry-tokens-'));
t.teardown(() => rm(dir, { recursive: true, force: true }));
const store = await TokenKeyStore.open(join(dir, 'keys'), { issuer: ISSUER });
const revocations = await RevocationList.open(join(dir, 'revoked.json'));
const issuer = new TokenIssuer(store);
const verifier = new TokenVerifier(store, { revocations });
const now = (): number => Math.floor(Date.now() / 1000);

/** Assert a verify fails with FERRY_ERR_UNAUTHENTICATED and exactly `reason`, never echoing the token. */
async function refused(t: Test, token: string, reason: string, audience = controlAudience()): Promise<void> {
  const err = await verifier.verify(token, { audience }).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.ok(err instanceof FerryError, `${reason}: a FerryError`);
  t.equal((err as FerryError).code, 'FERRY_ERR_UNAUTHENTICATED');
  t.equal((err as FerryError).message, reason);
  const telltale = token.split('.')[1] || token;
  if (telltale) t.notOk((err as FerryError).message.includes(telltale), 'message does not echo the token');
}

/** A token with ferry's header and any claims, signed with the real current key. */
function signWithStoreKey(claims: Record<string, unknown>): Promise<string> {
  const key = store.signingKey();
  return new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: key.kid }).sign(key.privateKey);
}

function baseClaims(): Record<string, unknown> {
  const iat = now();
  return { iss: ISSUER, sub: 'alice', aud: controlAudience(), iat, exp: iat + 60, jti: crypto.randomUUID(), purpose: 'control' };
}

void t.test('audience helpers', (t) => {
  t.equal(serviceAudience('east', 'jenkins', 'ci'), 'ferry:service:east/jenkins/ci');
  t.equal(kubectlAudience('east', 'prod'), 'ferry:service:east/kubernetes/prod');
  t.equal(controlAudience(), 'ferry:control');
  t.equal(bootstrapAudience('east'), 'ferry:bootstrap:east');
  t.end();
});

void t.test('issue then verify round trip', async (t) => {
  const aud = serviceAudience('east', 'argocd', 'main');
  const { token, claims } = await issuer.issue({
    purpose: 'service', sub: 'bob', aud, agent: 'east', type: 'argocd', name: 'main', groups: ['ops'], ttlSeconds: 3600,
  });
  t.equal(claims.iss, ISSUER);
  t.equal(claims.exp - claims.iat, 3600);
  t.ok(Number.isInteger(claims.iat) && Number.isInteger(claims.exp), 'whole-second times (registry 2.8)');
  t.match(claims.jti, /^[0-9a-f-]{36}$/);
  const header = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as Record<string, unknown>;
  t.same(header, { alg: 'ES256', typ: 'JWT', kid: store.signingKey().kid }, 'ES256 header with kid, no x5c without a chain');
  const verified = await verifier.verify(token, { audience: aud, purposes: ['service'] });
  t.same(verified, claims);
  t.same(await verifier.verify(token, { audience: [controlAudience(), aud] }), claims, 'one of several audiences');
  const second = await issuer.issue({ purpose: 'service', sub: 'bob', aud, ttlSeconds: 60 });
  t.not(second.claims.jti, claims.jti, 'every token has its own jti');
  t.notOk('agent' in second.claims, 'absent optional claims stay absent');
});

void t.test('alg:none is refused', async (t) => {
  const unsecured = new UnsecuredJWT(baseClaims()).encode();
  await refused(t, unsecured, 'unsupported algorithm');
  // Also with a kid that names a real key, and with the empty signature segment removed.
  const [, body] = unsecured.split('.');
  const header = Buffer.from(JSON.stringify({ alg: 'none', kid: store.signingKey().kid })).toString('base64url');
  await refused(t, `${header}.${body}.`, 'unsupported algorithm');
  const noneUpper = Buffer.from(JSON.stringify({ alg: 'None' })).toString('base64url');
  await refused(t, `${noneUpper}.${body}.`, 'unsupported algorithm');
});

void t.test('HS256 signed with the public key as HMAC secret is refused', async (t) => {
  const key = store.signingKey();
  const secrets: [string, Uint8Array][] = [
    ['public key PEM', new TextEncoder().encode(key.publicKeyPem)],
    ['public JWK JSON', new TextEncoder().encode(JSON.stringify(key.publicJwk))],
    ['public key DER', createPublicKey(key.publicKeyPem).export({ type: 'spki', format: 'der' })],
  ];
  for (const [what, secret] of secrets) {
    const token = await new SignJWT(baseClaims()).setProtectedHeader({ alg: 'HS256', kid: key.kid }).sign(secret);
    await refused(t, token, 'unsupported algorithm');
    t.pass(`HS256 with ${what}`);
  }
});

void t.test('RS256 and ES384 are refused even with a valid signature', async (t) => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const rsToken = await new SignJWT(baseClaims()).setProtectedHeader({ alg: 'RS256' }).sign(rsa.privateKey);
  await refused(t, rsToken, 'unsupported algorithm');
  const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey;
  const esToken = await new SignJWT(baseClaims()).setProtectedHeader({ alg: 'ES384' }).sign(p384);
  await refused(t, esToken, 'unsupported algorithm');
});

void t.test('ES256 from a foreign key is refused', async (t) => {
  const foreign = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const pkcs8 = foreign.export({ type: 'pkcs8', format: 'pem' }).toString();
  const foreignKey = await importPKCS8(pkcs8, 'ES256');
  const withOurKid = await new SignJWT(baseClaims())
    .setProtectedHeader({ alg: 'ES256', kid: store.signingKey().kid })
    .sign(foreignKey);
  await refused(t, withOurKid, 'bad signature');
  const noKid = await new SignJWT(baseClaims()).setProtectedHeader({ alg: 'ES256' }).sign(foreignKey);
  await refused(t, noKid, 'bad signature');
  const unknownKid = await new SignJWT(baseClaims()).setProtectedHeader({ alg: 'ES256', kid: 'nope' }).sign(foreignKey);
  await refused(t, unknownKid, 'unknown signing key');
});

void t.test('a tampered payload is refused', async (t) => {
  const { token } = await issuer.issue({ purpose: 'user', sub: 'carol', aud: controlAudience(), ttlSeconds: 60 });
  const [header, body, signature] = token.split('.');
  const claims = JSON.parse(Buffer.from(body!, 'base64url').toString()) as Record<string, unknown>;
  const forged = Buffer.from(JSON.stringify({ ...claims, sub: 'root', groups: ['admin'] })).toString('base64url');
  await refused(t, `${header}.${forged}.${signature}`, 'bad signature');
  await refused(t, 'not-a-jwt', 'malformed token');
  await refused(t, '', 'malformed token');
});

void t.test('a token without kid verifies by trying every key', async (t) => {
  const token = await new SignJWT(baseClaims()).setProtectedHeader({ alg: 'ES256' }).sign(store.signingKey().privateKey);
  t.equal((await verifier.verify(token, { audience: controlAudience() })).sub, 'alice');
});

void t.test('expired tokens are refused; exp is required', async (t) => {
  const old = { ...baseClaims(), iat: now() - 3600, exp: now() - 31 };
  await refused(t, await signWithStoreKey(old), 'token expired');
  const withinTolerance = { ...baseClaims(), iat: now() - 3600, exp: now() - 5 };
  t.ok(await verifier.verify(await signWithStoreKey(withinTolerance), { audience: controlAudience() }), '30 s clock tolerance');
  const { exp: _exp, ...noExp } = baseClaims();
  await refused(t, await signWithStoreKey(noExp), 'missing exp claim');
  const { jti: _jti, ...noJti } = baseClaims();
  await refused(t, await signWithStoreKey(noJti), 'missing jti claim');
});

void t.test('iat in the future is refused', async (t) => {
  const future = { ...baseClaims(), iat: now() + 600, exp: now() + 1200 };
  await refused(t, await signWithStoreKey(future), 'token issued in the future');
  const slightlyAhead = { ...baseClaims(), iat: now() + 10 };
  t.ok(await verifier.verify(await signWithStoreKey(slightlyAhead), { audience: controlAudience() }), 'small skew is fine');
});

void t.test('wrong audience, issuer, purpose and claim shapes are refused', async (t) => {
  const { token } = await issuer.issue({ purpose: 'kubectl', sub: 'dave', aud: kubectlAudience('east', 'prod'), ttlSeconds: 60 });
  await refused(t, token, 'wrong audience', kubectlAudience('east', 'staging'));
  await refused(t, token, 'wrong audience', controlAudience());
  await t.rejects(verifier.verify(token, { audience: kubectlAudience('east', 'prod'), purposes: ['control'] }), {
    code: 'FERRY_ERR_UNAUTHENTICATED',
    message: 'wrong token purpose',
  });
  await refused(t, await signWithStoreKey({ ...baseClaims(), iss: 'https://evil.test' }), 'wrong issuer');
  await refused(t, await signWithStoreKey({ ...baseClaims(), purpose: 'root' }), 'malformed claims');
  await refused(t, await signWithStoreKey({ ...baseClaims(), aud: [controlAudience()] }), 'malformed claims');
  await refused(t, await signWithStoreKey({ ...baseClaims(), groups: 'ops' }), 'malformed claims');
});

void t.test('a revoked jti is refused', async (t) => {
  const { token, claims } = await issuer.issue({ purpose: 'control', sub: 'erin', aud: controlAudience(), ttlSeconds: 60 });
  t.ok(await verifier.verify(token, { audience: controlAudience() }));
  await revocations.revokeJti(claims.jti, claims.exp);
  await refused(t, token, 'token revoked');
  const reopened = await RevocationList.open(revocations.file);
  const freshVerifier = new TokenVerifier(store, { revocations: reopened });
  await t.rejects(freshVerifier.verify(token, { audience: controlAudience() }), { message: 'token revoked' }, 'after restart');
});

void t.test('issue rejects bad requests', async (t) => {
  await t.rejects(issuer.issue({ purpose: 'control', sub: 'x', aud: controlAudience(), ttlSeconds: 1.5 }), { code: 'FERRY_ERR_BAD_INPUT' });
  await t.rejects(issuer.issue({ purpose: 'control', sub: 'x', aud: controlAudience(), ttlSeconds: 0 }), { code: 'FERRY_ERR_BAD_INPUT' });
  await t.rejects(issuer.issue({ purpose: 'control', sub: '', aud: controlAudience(), ttlSeconds: 60 }), { code: 'FERRY_ERR_BAD_INPUT' });
  await t.rejects(
    issuer.issue({ purpose: 'admin' as 'control', sub: 'x', aud: controlAudience(), ttlSeconds: 60 }),
    { code: 'FERRY_ERR_BAD_INPUT' },
  );
});

void t.test('libtrust kid form verifies too (registry 2.8 tokens)', async (t) => {
  const token = await issuer.sign(baseClaims(), { kidForm: 'libtrust' });
  const header = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as { kid: string };
  t.equal(header.kid, store.signingKey().libtrustKid);
  t.equal((await verifier.verify(token, { audience: controlAudience() })).sub, 'alice');
});

void t.test('the verified-token cache never outlives expiry, and its claims cannot be altered', async (t) => {
  const strict = new TokenVerifier(store, { revocations, clockToleranceSeconds: 0 });
  const uncached = new TokenVerifier(store, { cacheSize: 0, clockToleranceSeconds: 0 });
  // Two seconds: with one, a token signed late in a second can expire before it is checked.
  const exp = now() + 2;
  const token = await signWithStoreKey({ ...baseClaims(), exp });
  const claims = await strict.verify(token, { audience: controlAudience() });
  t.ok(await uncached.verify(token, { audience: controlAudience() }), 'cacheSize 0 verifies too');
  t.throws(() => {
    (claims as { sub: string }).sub = 'root';
  }, TypeError, 'claims are frozen');
  t.equal((await strict.verify(token, { audience: controlAudience() })).sub, 'alice', 'cache hit');
  await new Promise((resolve) => setTimeout(resolve, exp * 1000 - Date.now() + 50));
  await t.rejects(strict.verify(token, { audience: controlAudience() }), { message: 'token expired' }, 'cached, then expired');
  await t.rejects(uncached.verify(token, { audience: controlAudience() }), { message: 'token expired' });
});
