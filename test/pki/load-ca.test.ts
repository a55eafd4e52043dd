import t from 'tap';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCA, loadCA, verifyPeerCertificate, writeSecretFile } from '../../src/pki/index.js';

const openssl = (...args: string[]): string => execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

void t.test('a saved CA loads back and keeps issuing for the same trust domain', async (t) => {
  const dir = t.testdir();
  const ca = await createCA({ trustDomain: 'corp.example', algorithm: 'rsa-2048' });
  writeFileSync(join(dir, 'ca.crt'), ca.certPem);
  await writeSecretFile(join(dir, 'ca.key'), ca.keyPem);
  const before = await ca.issueClient({ kind: 'agent', agent: 'a1' });
  const loaded = await loadCA(join(dir, 'ca.crt'), join(dir, 'ca.key'));
  t.equal(loaded.trustDomain, 'corp.example');
  t.equal(loaded.certPem, ca.certPem);
  const after = await loaded.issueClient({ kind: 'agent', agent: 'a2' });
  t.same(verifyPeerCertificate(before.certPem, loaded, { purpose: 'client' }), { kind: 'agent', agent: 'a1' });
  t.same(verifyPeerCertificate(after.certPem, ca, { purpose: 'client' }), { kind: 'agent', agent: 'a2' });
  writeFileSync(join(dir, 'a2.crt'), after.certPem);
  t.match(openssl('verify', '-CAfile', join(dir, 'ca.crt'), join(dir, 'a2.crt')), /OK/);
});

void t.test('a CA made by openssl (SEC1 key, no trust domain) loads with the default trust domain', async (t) => {
  const dir = t.testdir();
  openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', join(dir, 'ca.key'));
  openssl('req', '-x509', '-new', '-key', join(dir, 'ca.key'), '-subj', '/CN=corp root', '-days', '10', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign', '-out', join(dir, 'ca.crt'));
  const ca = await loadCA(join(dir, 'ca.crt'), join(dir, 'ca.key'));
  t.equal(ca.trustDomain, 'ferry.local');
  const leaf = await ca.issueClient({ kind: 'control', name: 'admin' });
  writeFileSync(join(dir, 'leaf.crt'), leaf.certPem);
  t.match(openssl('verify', '-CAfile', join(dir, 'ca.crt'), join(dir, 'leaf.crt')), /OK/);
});

void t.test('loadCA refuses bad files and names the file', async (t) => {
  const ca = await createCA();
  const other = await createCA();
  const leaf = await ca.issueClient({ kind: 'agent', agent: 'a1' });
  const dir = t.testdir({
    'ca.crt': ca.certPem,
    'ca.key': ca.keyPem,
    'other.key': other.keyPem,
    'garbage.crt': 'this is not a certificate\n',
    'garbage.key': 'nor a key\n',
    'leaf.crt': leaf.certPem,
    'broken.key': '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n',
    'cert-as-key.key': ca.certPem,
  });
  const f = (n: string): string => join(dir, n);
  await t.rejects(loadCA(f('missing.crt'), f('ca.key')), { code: 'FERRY_ERR_CA', message: `${f('missing.crt')}: cannot read CA certificate (ENOENT)` });
  await t.rejects(loadCA(f('ca.crt'), f('missing.key')), { code: 'FERRY_ERR_CA', message: new RegExp(`^${f('missing.key')}: cannot read`) });
  await t.rejects(loadCA(f('garbage.crt'), f('ca.key')), { code: 'FERRY_ERR_CA', message: `${f('garbage.crt')}: not a PEM certificate` });
  await t.rejects(loadCA(f('ca.crt'), f('garbage.key')), { code: 'FERRY_ERR_CA', message: `${f('garbage.key')}: not a PEM private key` });
  await t.rejects(loadCA(f('ca.crt'), f('cert-as-key.key')), { code: 'FERRY_ERR_CA', message: /cert-as-key\.key: not a PEM private key/ });
  await t.rejects(loadCA(f('ca.crt'), f('broken.key')), { code: 'FERRY_ERR_CA', message: /broken\.key: unreadable private key/ });
  await t.rejects(loadCA(f('leaf.crt'), f('ca.key')), { code: 'FERRY_ERR_CA', message: /leaf\.crt: not a CA certificate/ });
  await t.rejects(loadCA(f('ca.crt'), f('other.key')), { code: 'FERRY_ERR_CA', message: /other\.key: private key does not match the CA certificate/ });
  // Messages never carry key material.
  const err: unknown = await loadCA(f('ca.crt'), f('other.key')).catch((e: unknown) => e);
  t.notMatch(err instanceof Error ? err.message : 'not an error', /PRIVATE KEY|MIG/);
});

void t.test('an expired CA is refused', async (t) => {
  const ca = await createCA({ notBefore: new Date(Date.now() - 10 * 86_400_000), notAfter: new Date(Date.now() - 86_400_000) });
  const dir = t.testdir({ 'ca.crt': ca.certPem, 'ca.key': ca.keyPem });
  await t.rejects(loadCA(join(dir, 'ca.crt'), join(dir, 'ca.key')), { code: 'FERRY_ERR_CA', message: /ca\.crt: CA certificate expired/ });
});
