import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import t from 'tap';
import { FerryError } from '../../src/errors.js';
import { TokenIssuer, TokenKeyStore, TokenVerifier, controlAudience } from '../../src/tokens/index.js';

const ISSUER = 'https://ferry.test';
const root = await mkdtemp(join(tmpdir(), 'ferry-keystore-'));
t.teardown(() => rm(root, { recursive: true, force: true }));
let dirCount = 0;
const freshDir = (): string => join(root, `keys-${++dirCount}`);
const audience = controlAudience();

async function issueWith(store: TokenKeyStore): Promise<string> {
  return (await new TokenIssuer(store).issue({ purpose: 'control', sub: 'ops', aud: audience, ttlSeconds: 300 })).token;
}

function keyFilesIn(dir: string): Promise<string[]> {
  return readdir(dir).then((names) => names.filter((n) => /^token-key-\d+\.(pem|crt)$/.test(n)).sort());
}

void t.test('open creates a 0600 PKCS#8 key in a 0700 directory and reopens it', async (t) => {
  const dir = freshDir();
  const store = await TokenKeyStore.open(dir, { issuer: ISSUER });
  const files = await keyFilesIn(dir);
  t.equal(files.length, 1);
  t.match(files[0], /^token-key-\d{13}\.pem$/);
  t.equal((await stat(join(dir, files[0]!))).mode & 0o777, 0o600, 'key file is 0600');
  t.equal((await stat(dir)).mode & 0o777, 0o700, 'key directory is 0700');
  t.match(await readFile(join(dir, files[0]!), 'utf8'), /^-----BEGIN PRIVATE KEY-----/);
  const again = await TokenKeyStore.open(dir, { issuer: ISSUER });
  t.equal(again.signingKey().kid, store.signingKey().kid, 'same key after reopen');
  t.equal((await keyFilesIn(dir)).length, 1, 'no second key made');
  t.match(store.signingKey().kid, /^[A-Za-z0-9_-]{43}$/, 'kid is a base64url SHA-256 thumbprint');
});

void t.test('an empty directory without createIfEmpty is an error', async (t) => {
  await t.rejects(TokenKeyStore.open(freshDir(), { issuer: ISSUER, createIfEmpty: false }), {
    code: 'FERRY_ERR_BAD_CONFIG',
  });
});

void t.test('rotation: old tokens still verify, new tokens carry the new kid, removal + reload refuses old', async (t) => {
  const dir = freshDir();
  const store = await TokenKeyStore.open(dir, { issuer: ISSUER });
  const verifier = new TokenVerifier(store);
  const oldKid = store.signingKey().kid;
  const oldToken = await issueWith(store);

  const newKey = await store.rotate();
  t.not(newKey.kid, oldKid);
  t.equal(store.signingKey().kid, newKey.kid, 'newest key signs');
  t.equal(store.keys().length, 2);
  t.ok(await verifier.verify(oldToken, { audience }), 'token from the old key still verifies');
  const newToken = await issueWith(store);
  t.equal(decodeProtectedHeader(newToken).kid, newKey.kid, 'new token carries the new kid');
  t.ok(await verifier.verify(newToken, { audience }));

  const jwks = store.jwks();
  t.same(jwks.keys.map((k) => k.kid).sort(), [oldKid, newKey.kid].sort(), 'JWKS lists every verifying key');
  for (const jwk of jwks.keys) {
    t.equal(jwk.alg, 'ES256');
    t.equal(jwk.use, 'sig');
    t.notOk('d' in jwk, 'no private part in JWKS');
  }
  const remote = createLocalJWKSet(JSON.parse(JSON.stringify(jwks)) as typeof jwks);
  for (const token of [oldToken, newToken]) {
    const { payload } = await jwtVerify(token, remote, { algorithms: ['ES256'], audience, issuer: ISSUER });
    t.equal(payload.sub, 'ops', 'verifies with jose.createLocalJWKSet(jwks)');
  }

  const oldFile = store.keys().find((k) => k.kid === oldKid)!.file;
  await unlink(oldFile);
  await store.reload();
  t.equal(store.keys().length, 1);
  await t.rejects(verifier.verify(oldToken, { audience }), { code: 'FERRY_ERR_UNAUTHENTICATED', message: 'unknown signing key' });
  t.ok(await verifier.verify(newToken, { audience }), 'new token still verifies');
  t.same(store.jwks().keys.map((k) => k.kid), [newKey.kid]);
});

void t.test('a bad key file on reload names the file and keeps the old key set', async (t) => {
  const dir = freshDir();
  const store = await TokenKeyStore.open(dir, { issuer: ISSUER });
  const verifier = new TokenVerifier(store);
  const token = await issueWith(store);
  const kid = store.signingKey().kid;
  const corrupt = join(dir, `token-key-${Date.now() + 60_000}.pem`);

  await writeFile(corrupt, '-----BEGIN PRIVATE KEY-----\nnot base64 at all\n-----END PRIVATE KEY-----\n', { mode: 0o600 });
  const err = await store.reload().catch((e: unknown) => e);
  t.ok(err instanceof FerryError);
  t.equal((err as FerryError).code, 'FERRY_ERR_BAD_CONFIG');
  t.match((err as FerryError).message, corrupt, 'the message names the bad file');
  t.equal(store.signingKey().kid, kid, 'previous signer still in force');
  t.ok(await verifier.verify(token, { audience }), 'previous keys still verify');
  t.ok(await verifier.verify(await issueWith(store), { audience }), 'and still sign');

  // Right format, wrong curve: ES256 needs P-256.
  execFileSync('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384', '-out', corrupt]);
  await t.rejects(store.reload(), { code: 'FERRY_ERR_BAD_CONFIG', message: new RegExp(`${corrupt} is not an EC P-256 key`) });
  // An RSA key is refused the same way.
  execFileSync('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', corrupt]);
  await t.rejects(store.reload(), { message: new RegExp(corrupt) });
  t.equal(store.signingKey().kid, kid);

  // A P-256 key from openssl (PKCS#8) is accepted and, being newest, signs.
  execFileSync('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', corrupt]);
  await store.reload();
  t.equal(store.signingKey().file, corrupt, 'an operator-provided key is picked up');
  t.ok(await verifier.verify(token, { audience }), 'older key still verifies');
});

void t.test('an emptied directory on reload keeps the old set', async (t) => {
  const dir = freshDir();
  const store = await TokenKeyStore.open(dir, { issuer: ISSUER });
  await unlink(store.signingKey().file);
  await t.rejects(store.reload(), { code: 'FERRY_ERR_BAD_CONFIG', message: /no token keys/ });
  t.equal(store.keys().length, 1);
});

void t.test('rotate keeps at most maxKeys keys and removes the oldest files', async (t) => {
  const dir = freshDir();
  const store = await TokenKeyStore.open(dir, { issuer: ISSUER, maxKeys: 2 });
  const first = store.signingKey();
  await store.rotate();
  await store.rotate();
  t.equal(store.keys().length, 2);
  t.equal((await keyFilesIn(dir)).length, 2);
  t.notOk(store.findKey(first.kid), 'oldest key dropped');
  await t.rejects(stat(first.file), { code: 'ENOENT' });
  // Concurrent rotations are serialised and still produce distinct, ordered files.
  await Promise.all([store.rotate(), store.rotate(), store.rotate()]);
  const names = await keyFilesIn(dir);
  t.equal(names.length, 2);
  t.equal(store.signingKey().file, join(dir, names[1]!), 'newest file signs');
  await t.rejects(TokenKeyStore.open(dir, { issuer: ISSUER, maxKeys: 0 }), { code: 'FERRY_ERR_BAD_CONFIG' });
});

void t.test('certify: chains written beside keys, x5c in tokens, verified against the CA', async (t) => {
  const caDir = join(root, 'ca');
  execFileSync('mkdir', ['-p', caDir]);
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', join(caDir, 'ca.key'), '-out', join(caDir, 'ca.crt'), '-subj', '/CN=ferry-test-ca', '-days', '1',
  ], { stdio: 'ignore' });
  const caPem = await readFile(join(caDir, 'ca.crt'), 'utf8');
  let calls = 0;
  const certify = async (publicKeyPem: string): Promise<string[]> => {
    const pub = join(caDir, `pub-${++calls}.pem`);
    await writeFile(pub, publicKeyPem);
    const leaf = execFileSync('openssl', [
      'x509', '-new', '-CA', join(caDir, 'ca.crt'), '-CAkey', join(caDir, 'ca.key'),
      '-force_pubkey', pub, '-subj', '/CN=ferry-token-signer', '-days', '1',
    ]).toString();
    return [leaf, caPem];
  };
  const dir = freshDir();
  const store = await TokenKeyStore.open(dir, { issuer: ISSUER, certify });
  t.equal(calls, 1, 'certify called for the first key');
  const key = store.signingKey();
  t.equal(key.x5c?.length, 2, 'leaf and CA in the chain');
  const hoursLeft = (key.certNotAfter!.getTime() - Date.now()) / 3_600_000;
  t.ok(hoursLeft > 23 && hoursLeft <= 24, 'certNotAfter is the leaf expiry (openssl -days 1)');
  const crtFile = key.file.replace(/\.pem$/, '.crt');
  t.equal((await stat(crtFile)).mode & 0o777, 0o600);

  const token = await issueWith(store);
  const header = decodeProtectedHeader(token);
  t.equal(header.kid, key.kid);
  t.same(header.x5c, key.x5c);
  const leaf = new X509Certificate(Buffer.from(header.x5c![0]!, 'base64'));
  const ca = new X509Certificate(caPem);
  t.ok(leaf.verify(ca.publicKey), 'x5c leaf is signed by the CA (what registry checks against rootcertbundle)');
  t.equal(
    leaf.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    key.publicKeyPem,
    'leaf certifies the signing key',
  );
  t.same(store.jwks().keys[0]!.x5c, key.x5c, 'JWKS carries the chain');

  const rotated = await store.rotate();
  t.equal(calls, 2, 'certify called on rotate');
  const reopened = await TokenKeyStore.open(dir, { issuer: ISSUER });
  t.same(reopened.findKey(rotated.kid)?.x5c, rotated.x5c, 'chain read back from the .crt');

  // A chain that certifies some other key is refused, naming the .crt.
  const rotatedCrt = rotated.file.replace(/\.pem$/, '.crt');
  await writeFile(rotatedCrt, await readFile(crtFile, 'utf8'));
  await t.rejects(store.reload(), { code: 'FERRY_ERR_BAD_CONFIG', message: new RegExp(`${rotatedCrt} certifies a different public key`) });
  t.equal(store.signingKey().kid, rotated.kid, 'old set kept');
});

void t.test('certify returning [] means no chain; a failing certify makes no key', async (t) => {
  const dir = freshDir();
  const store = await TokenKeyStore.open(dir, { issuer: ISSUER, certify: () => Promise.resolve([]) });
  t.equal(store.signingKey().x5c, undefined);
  t.same(await keyFilesIn(dir), [store.signingKey().file.split('/').pop()]);
  t.notOk('x5c' in decodeProtectedHeader(await issueWith(store)));

  const failing = await TokenKeyStore.open(dir, {
    issuer: ISSUER,
    certify: () => Promise.reject(new Error('CA offline')),
  });
  await t.rejects(failing.rotate(), { code: 'FERRY_ERR_CA', message: /CA offline/ });
  t.equal((await keyFilesIn(dir)).length, 1, 'no key file written');
});
