// A JWT from `ferry get-creds service` carries x5c = [token key certificate, CA] that
// `openssl verify` accepts against ca.crt, and a kid equal to the RFC 7638 thumbprint of
// its key, computed here by hand; the JWKS endpoint lists the same key with its chain.
import { execFile } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { decodeProtectedHeader } from 'jose';
import t from 'tap';
import { startUpstream } from '../fixtures/upstream.js';
import { startControlEnv } from '../control/control-env.js';

const upstream = await startUpstream();
const env = await startControlEnv();
t.teardown(async () => {
  await env.close();
  await upstream.close();
});
await env.startAgent('x1', [{ type: 'x-echo', name: 'demo', url: upstream.url }]);

const toPem = (b64: string): string => `-----BEGIN CERTIFICATE-----\n${b64.match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`;

void t.test('get-creds service: x5c verifies against ca.crt, kid is the RFC 7638 thumbprint', async (t) => {
  const res = await env.cli(['get-creds', 'service', '--agent', 'x1', '--type', 'x-echo', '--name', 'demo']);
  t.equal(res.code, 0, res.stderr);
  const { token } = JSON.parse(res.stdout) as { token: string };
  const header = decodeProtectedHeader(token);
  t.equal(header.alg, 'ES256');
  t.equal(header.typ, 'JWT');
  t.ok(Array.isArray(header.x5c) && header.x5c.length === 2, 'x5c holds the key certificate and the CA');
  const [leafB64, caB64] = header.x5c!;
  t.match(leafB64, /^[A-Za-z0-9+/]+=*$/, 'standard base64, not base64url, no PEM armour');
  t.equal(Buffer.from(caB64!, 'base64').toString('base64'), new X509Certificate(env.ca.certPem).raw.toString('base64'), 'x5c[1] is the CA');

  const leafFile = join(env.dir, 'token-leaf.pem');
  await writeFile(leafFile, toPem(leafB64!));
  // No -partial_chain: the CA in ca.crt is self-signed, so the chain is complete.
  const verified = await promisify(execFile)('openssl', ['verify', '-CAfile', env.caFile, leafFile]);
  t.match(verified.stdout, /: OK/, 'openssl verify accepts the token key certificate');

  const leaf = new X509Certificate(Buffer.from(leafB64!, 'base64'));
  t.notOk(leaf.ca, 'not a CA');
  const extensions = await promisify(execFile)('openssl', ['x509', '-in', leafFile, '-noout', '-text']);
  t.match(extensions.stdout, /X509v3 Key Usage: critical\s+Digital Signature\n/, 'key usage: digitalSignature only');
  t.notMatch(extensions.stdout, /Extended Key Usage/, 'no TLS extended key usage');
  // RFC 7638 by hand: the required members in lexicographic order, no whitespace, SHA-256, base64url.
  const jwk = leaf.publicKey.export({ format: 'jwk' });
  const canonical = `{"crv":"${jwk.crv}","kty":"${jwk.kty}","x":"${jwk.x}","y":"${jwk.y}"}`;
  const thumbprint = createHash('sha256').update(canonical).digest('base64url');
  t.equal(header.kid, thumbprint, 'kid is the RFC 7638 thumbprint of the certified key');

  const jwks = await env.call('GET', '/.well-known/jwks.json');
  t.equal(jwks.status, 200);
  const keys = jwks.json.keys as Array<Record<string, unknown>>;
  const listed = keys.find((k) => k.kid === thumbprint);
  t.ok(listed, 'JWKS lists the signing key');
  t.match(listed, { kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig', x5c: header.x5c });
  t.notOk(listed && 'd' in listed, 'no private part');
});
