// ID-token verification against a real oidc-provider: discovery + JWKS, claims with
// prefixes, and every bad token (wrong audience, expired, not yet valid, alg none, HS256
// signed with the public key, unknown key, missing claims); key rotation by unknown kid
// (rate-limited); a JWKS that cannot be fetched keeps the last good keys.
import t, { type Test } from 'tap';
import { createHmac, createPublicKey } from 'node:crypto';
import { FerryError, httpStatusOf } from '../../src/errors.js';
import { IssuerVerifier } from '../../src/oidc/issuer-verifier.js';
import { oidcConfigSchema } from '../../src/config/oidc-config.js';
import { accessAllows } from '../../src/oidc/access.js';
import { LdapPasswordChecker } from '../../src/passwords/ldap.js';
import { ldapConfigSchema } from '../../src/config/ldap-config.js';
import { startSlapd } from '../../testkit/slapd.js';
import { startIdp } from '../../testkit/oidc-idp.js';

const slapd = await startSlapd();
t.teardown(() => slapd.stop());
const checker = new LdapPasswordChecker(
  ldapConfigSchema.parse({ url: slapd.url, userBase: slapd.peopleBase, bindDn: slapd.serviceDn, bindPassword: { env: 'FERRY_TEST_LDAP_PW' } }),
);
process.env['FERRY_TEST_LDAP_PW'] = slapd.servicePassword;
const idp = await startIdp({ checker });
t.teardown(() => idp.close());

const logs: string[] = [];
function verifierOf(extra: Record<string, unknown> = {}, cooldownMs = 10_000): IssuerVerifier {
  const [cfg] = oidcConfigSchema.parse({ issuers: [{ issuer: idp.issuer, clientId: idp.clientId, allowPlainHttp: true, ...extra }] }).issuers;
  const v = new IssuerVerifier(cfg!, { cooldownMs, log: (level, msg, fields) => logs.push(JSON.stringify({ level, msg, ...fields })) });
  t.teardown(() => v.close());
  return v;
}

const refused = async (t: Test, v: IssuerVerifier, token: string, reason: RegExp, code = 'FERRY_ERR_UNAUTHENTICATED') => {
  const err = await v.verify(token).then(() => undefined, (e: unknown) => e);
  t.ok(err instanceof FerryError, 'a FerryError');
  t.equal((err as FerryError).code, code);
  t.match((err as Error).message, reason);
  t.notOk((err as Error).message.includes(token), 'the token is not in the message');
};

void t.test('a genuine token gives username and groups with prefixes', async (t) => {
  const v = verifierOf({ usernameClaim: 'email', usernamePrefix: 'oidc:', groupsPrefix: 'oidc:' });
  const token = await idp.sign({ sub: 'alice', email: 'alice@ferry.test', email_verified: true, groups: ['devs', 'ops'] });
  const id = await v.verify(token);
  t.equal(id.subject, 'oidc:alice@ferry.test');
  t.same(id.groups, ['oidc:devs', 'oidc:ops']);
  t.equal(idp.count('/.well-known/openid-configuration'), 1, 'discovery once');
  const jwksReads = idp.count('/jwks');
  await v.verify(token);
  t.equal(idp.count('/jwks'), jwksReads, 'keys are cached');
});

void t.test('bad tokens are 401 with a short reason', async (t) => {
  const v = verifierOf({ leeway: '5s' });
  const now = Math.floor(Date.now() / 1000);
  await refused(t, v, await idp.sign({ sub: 'alice', aud: 'someone-else' }), /wrong audience/);
  await refused(t, v, await idp.sign({ sub: 'alice', iat: now - 600, exp: now - 60 }), /expired/);
  t.equal((await v.verify(await idp.sign({ sub: 'alice', iat: now - 600, exp: now - 2 }))).subject, 'alice', 'within the leeway');
  await refused(t, v, await idp.sign({ sub: 'alice', nbf: now + 120 }), /not yet valid/);
  await refused(t, v, await idp.sign({ iss: 'https://evil.example', sub: 'alice' }), /bad iss claim/);
  await refused(t, v, await idp.sign({ sub: undefined }), /missing sub claim/);
  const emailVerifier = verifierOf({ usernameClaim: 'email' });
  await refused(t, emailVerifier, await idp.sign({ sub: 'alice', email: 'alice@ferry.test', email_verified: false }), /email not verified/);
  await refused(t, emailVerifier, await idp.sign({ sub: 'alice' }), /no email claim/);

  // alg none: a valid-looking payload with no signature.
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const payload = b64({ iss: idp.issuer, aud: idp.clientId, sub: 'alice', iat: now, exp: now + 300 });
  await refused(t, v, `${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`, /algorithm not allowed|malformed/);
  // HS256 keyed with the provider's public key (the classic confusion attack).
  const publicPem = createPublicKey({ key: idp.key.publicJwk as never, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
  const header = b64({ alg: 'HS256', typ: 'JWT', kid: idp.key.kid });
  const mac = createHmac('sha256', publicPem).update(`${header}.${payload}`).digest('base64url');
  await refused(t, v, `${header}.${payload}.${mac}`, /algorithm not allowed/);
  // A signature that does not match.
  const genuine = await idp.sign({ sub: 'alice' });
  const [h, , s] = genuine.split('.');
  await refused(t, v, `${h}.${b64({ iss: idp.issuer, aud: idp.clientId, sub: 'mallory', iat: now, exp: now + 300 })}.${s}`, /bad signature/);
  await refused(t, v, 'not-a-jwt', /malformed/);
});

void t.test('an unknown kid re-reads the JWKS (a rotated key works), at most once per cooldown', async (t) => {
  const v = verifierOf({}, 60_000);
  await v.verify(await idp.sign({ sub: 'alice' }));
  const before = idp.count('/jwks');
  const rotated = await idp.addKey();
  t.equal((await v.verify(await idp.sign({ sub: 'bob' }, { key: rotated }))).subject, 'bob', 'the new key verifies');
  t.equal(idp.count('/jwks'), before + 1, 'one JWKS read');
  // Tokens with made-up kids cannot make ferry hammer the provider.
  for (let i = 0; i < 5; i++) await refused(t, v, await idp.sign({ sub: 'x' }, { header: { kid: `made-up-${i}` } }), /no matching key|bad signature/);
  t.equal(idp.count('/jwks'), before + 1, 'no JWKS read within the cooldown');
});

void t.test('a JWKS that cannot be fetched: the last good keys keep verifying, and it is logged', async (t) => {
  const v = verifierOf({}, 0);
  await v.verify(await idp.sign({ sub: 'alice' }));
  idp.jwksDown = true;
  try {
    t.equal((await v.verify(await idp.sign({ sub: 'alice' }, { header: { kid: idp.key.kid } }))).subject, 'alice');
    await refused(t, v, await idp.sign({ sub: 'x' }, { header: { kid: 'unknown-kid' } }), /no matching key|bad signature/);
    t.ok(logs.some((l) => l.includes('keeping the last good ones')), 'logged');
    // A verifier that never had keys answers 503, not 401.
    const fresh = verifierOf();
    const err = await fresh.verify(await idp.sign({ sub: 'alice' })).then(() => undefined, (e: unknown) => e);
    t.equal(httpStatusOf(err), 503);
    t.match((err as Error).message, /cannot read its signing keys/);
  } finally {
    idp.jwksDown = false;
  }
});

void t.test('a verified token is cached until it expires, and then refused', async (t) => {
  let clock = Date.now();
  const [cfg] = oidcConfigSchema.parse({ issuers: [{ issuer: idp.issuer, clientId: idp.clientId, allowPlainHttp: true, leeway: '10s' }] }).issuers;
  const v = new IssuerVerifier(cfg!, { now: () => clock });
  t.teardown(() => v.close());
  const token = await idp.sign({ sub: 'alice' });
  const started = process.hrtime.bigint();
  for (let i = 0; i < 1000; i++) await v.verify(token);
  t.comment(`1000 verifications of one token: ${Number(process.hrtime.bigint() - started) / 1e6} ms`);
  clock += 305_000; // the token lives 300 s, the leeway is 10 s
  t.equal((await v.verify(token)).subject, 'alice', 'within the leeway');
  clock += 10_000;
  await refused(t, v, token, /expired/);
  await refused(t, v, token, /expired/);
});

void t.test('an http issuer needs allowPlainHttp', (t) => {
  const [cfg] = oidcConfigSchema.parse({ issuers: [{ issuer: idp.issuer, clientId: 'x' }] }).issuers;
  t.throws(() => new IssuerVerifier(cfg!), { code: 'FERRY_ERR_BAD_CONFIG', message: /must be https/ });
  t.end();
});

void t.test('access rules: by user, by group, per agent and route; none means nobody', (t) => {
  const rules = oidcConfigSchema.parse({
    access: [
      { groups: ['devs'], agents: ['k1'], routes: ['kubernetes/*'] },
      { users: ['carol'], agents: ['*'], routes: ['x-demo/hello'] },
    ],
  }).access;
  const k1 = { agent: 'k1', type: 'kubernetes', name: 'default' };
  t.ok(accessAllows(rules, 'bob', ['devs'], k1));
  t.notOk(accessAllows(rules, 'bob', ['devs'], { ...k1, agent: 'k2' }));
  t.notOk(accessAllows(rules, 'carol', [], k1));
  t.ok(accessAllows(rules, 'carol', [], { agent: 'k9', type: 'x-demo', name: 'hello' }));
  t.notOk(accessAllows([], 'root', ['admins'], k1));
  t.end();
});
