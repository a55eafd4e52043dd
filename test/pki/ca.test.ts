import t from 'tap';
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { buildLeaf, keyIdOf, subjectDerOf } from '../../src/pki/certificate-builder.js';
import { createCA, notAfterOf, serialOf, verifyPeerCertificate } from '../../src/pki/index.js';

const openssl = (...args: string[]): string => execFileSync('openssl', args, { encoding: 'utf8' });
const opensslFails = (...args: string[]): boolean => spawnSync('openssl', args).status !== 0;

void t.test('client and server certificates verify with openssl and carry the URI', async (t) => {
  const dir = t.testdir();
  const ca = await createCA({ trustDomain: 'example.test' });
  t.equal(ca.trustDomain, 'example.test');
  const agent = await ca.issueClient({ kind: 'agent', agent: 'a1' });
  const user = await ca.issueClient({ kind: 'user', name: 'alice', groups: ['system:masters', 'dev'] });
  const server = await ca.issueServer({ dnsNames: ['localhost'], ipAddresses: ['127.0.0.1', '::1'] });
  const file = (name: string, pem: string): string => {
    const p = join(dir, name);
    writeFileSync(p, pem);
    return p;
  };
  const caFile = file('ca.crt', ca.certPem);
  const agentFile = file('agent.crt', agent.certPem);
  const userFile = file('user.crt', user.certPem);
  const serverFile = file('server.crt', server.certPem);

  t.match(openssl('verify', '-CAfile', caFile, '-purpose', 'sslclient', agentFile), /agent\.crt: OK/);
  t.match(openssl('verify', '-CAfile', caFile, '-purpose', 'sslclient', userFile), /OK/);
  t.match(openssl('verify', '-CAfile', caFile, '-purpose', 'sslserver', serverFile), /OK/);
  t.ok(opensslFails('verify', '-CAfile', caFile, '-purpose', 'sslserver', agentFile), 'openssl refuses a client cert as server');
  t.match(openssl('x509', '-in', agentFile, '-noout', '-ext', 'subjectAltName'), /URI:spiffe:\/\/example\.test\/agent\/a1/);
  t.match(openssl('x509', '-in', caFile, '-noout', '-ext', 'subjectAltName'), /URI:spiffe:\/\/example\.test\s*$/m);
  const serverSan = openssl('x509', '-in', serverFile, '-noout', '-ext', 'subjectAltName');
  t.match(serverSan, /DNS:localhost/);
  t.match(serverSan, /IP Address:127\.0\.0\.1/);
  t.match(serverSan, /IP Address:0:0:0:0:0:0:0:1/);
  t.match(serverSan, /URI:spiffe:\/\/example\.test\/controller/);
  t.match(openssl('x509', '-in', userFile, '-noout', '-subject'), /O = system:masters, O = dev, CN = alice/);
  t.match(agent.keyPem, /^-----BEGIN PRIVATE KEY-----/);

  t.same(verifyPeerCertificate(agent.certPem, ca, { purpose: 'client' }), { kind: 'agent', agent: 'a1' });
  t.same(verifyPeerCertificate(user.certPem, ca, { purpose: 'client' }), { kind: 'user', name: 'alice', groups: ['system:masters', 'dev'] });
  t.same(verifyPeerCertificate(server.certPem, ca, { purpose: 'server' }), { kind: 'controller' });
  t.equal(serialOf(agent.certPem), agent.serial);
  t.equal(openssl('x509', '-in', agentFile, '-noout', '-serial').trim().toLowerCase(), `serial=${agent.serial}`);
  const days = (notAfterOf(agent.certPem).getTime() - Date.now()) / 86_400_000;
  t.ok(days > 364 && days <= 365, `default validity ~365 days (${days})`);
});

void t.test('a real mutual-TLS handshake works and the peer identity is read back', async (t) => {
  const ca = await createCA();
  const server = await ca.issueServer({ dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
  const client = await ca.issueClient({ kind: 'control', name: 'admin' });
  const srv = tls.createServer({ cert: server.certPem, key: server.keyPem, ca: ca.certPem, requestCert: true, rejectUnauthorized: true }, (sock) => {
    const peer = sock.getPeerCertificate(true);
    const id = verifyPeerCertificate(peer.raw, ca, { purpose: 'client' });
    sock.end(JSON.stringify(id));
  });
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  t.teardown(() => srv.close());
  const { port } = srv.address() as AddressInfo;
  const sock = tls.connect({ host: '127.0.0.1', port, ca: ca.certPem, cert: client.certPem, key: client.keyPem, servername: 'localhost' });
  let body = '';
  sock.setEncoding('utf8');
  sock.on('data', (d: string) => (body += d));
  await once(sock, 'end');
  t.same(JSON.parse(body), { kind: 'control', name: 'admin' });
  t.same(verifyPeerCertificate(sock.getPeerCertificate().raw, ca, { purpose: 'server' }), { kind: 'controller' });
});

void t.test('wrong CA, expired, not yet valid, wrong purpose are rejected', async (t) => {
  const ca = await createCA();
  const other = await createCA();
  const good = await ca.issueClient({ kind: 'agent', agent: 'a1' });
  t.throws(() => verifyPeerCertificate(good.certPem, other, { purpose: 'client' }), { code: 'FERRY_ERR_CERT', message: 'not issued by this CA' });

  const expired = await ca.issueClient({ kind: 'agent', agent: 'a1' }, { notBefore: new Date(Date.now() - 10 * 86_400_000), notAfter: new Date(Date.now() - 86_400_000) });
  t.throws(() => verifyPeerCertificate(expired.certPem, ca, { purpose: 'client' }), { code: 'FERRY_ERR_CERT', message: 'certificate expired' });
  // The same certificate was fine while it was valid.
  t.same(verifyPeerCertificate(expired.certPem, ca, { purpose: 'client', now: new Date(Date.now() - 5 * 86_400_000) }), { kind: 'agent', agent: 'a1' });
  t.throws(() => verifyPeerCertificate(good.certPem, ca, { purpose: 'client', now: new Date(Date.now() + 400 * 86_400_000) }), { message: 'certificate expired' });
  t.throws(() => verifyPeerCertificate(good.certPem, ca, { purpose: 'client', now: new Date(Date.now() - 86_400_000) }), { message: 'certificate not yet valid' });

  const server = await ca.issueServer({ dnsNames: ['localhost'] });
  t.throws(() => verifyPeerCertificate(server.certPem, ca, { purpose: 'client' }), { code: 'FERRY_ERR_CERT', message: /^wrong purpose: / });
  t.throws(() => verifyPeerCertificate(good.certPem, ca, { purpose: 'server' }), { code: 'FERRY_ERR_CERT', message: /^wrong purpose: / });
  t.throws(() => verifyPeerCertificate(ca.certPem, ca, { purpose: 'client' }), { code: 'FERRY_ERR_CERT' }, 'the CA itself is no peer');

  const otherDomain = await createCA({ trustDomain: 'elsewhere.test' });
  t.throws(() => verifyPeerCertificate('garbage', otherDomain, { purpose: 'client' }), { code: 'FERRY_ERR_CERT', message: 'unreadable certificate' });
});

void t.test('certificates signed by the CA key outside ferry are checked for trust domain and URI', async (t) => {
  const dir = t.testdir();
  const ca = await createCA({ trustDomain: 'ferry.local' });
  writeFileSync(join(dir, 'ca.crt'), ca.certPem);
  writeFileSync(join(dir, 'ca.key'), ca.keyPem);
  // openssl signs with our CA key: the signature is good, only the contents differ.
  const sign = (name: string, ext: string): string => {
    openssl('req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, `${name}.key`), '-subj', `/CN=${name}`, '-out', join(dir, `${name}.csr`));
    writeFileSync(join(dir, `${name}.ext`), ext);
    openssl('x509', '-req', '-in', join(dir, `${name}.csr`), '-CA', join(dir, 'ca.crt'), '-CAkey', join(dir, 'ca.key'), '-CAcreateserial', '-days', '1', '-extfile', join(dir, `${name}.ext`), '-out', join(dir, `${name}.crt`));
    return openssl('x509', '-in', join(dir, `${name}.crt`));
  };
  const good = sign('good', 'extendedKeyUsage=clientAuth\nsubjectAltName=URI:spiffe://ferry.local/agent/good\n');
  t.same(verifyPeerCertificate(good, ca, { purpose: 'client' }), { kind: 'agent', agent: 'good' });
  const foreign = sign('foreign', 'extendedKeyUsage=clientAuth\nsubjectAltName=URI:spiffe://other.test/agent/x\n');
  t.throws(() => verifyPeerCertificate(foreign, ca, { purpose: 'client' }), { code: 'FERRY_ERR_CERT', message: /wrong trust domain/ });
  const two = sign('two', 'extendedKeyUsage=clientAuth\nsubjectAltName=URI:spiffe://ferry.local/agent/a,URI:spiffe://ferry.local/control/admin\n');
  t.throws(() => verifyPeerCertificate(two, ca, { purpose: 'client' }), { message: /exactly one URI identity, found 2/ });
  const none = sign('none', 'extendedKeyUsage=clientAuth\n');
  t.throws(() => verifyPeerCertificate(none, ca, { purpose: 'client' }), { message: /found 0/ });
  // One URI whose text contains ", URI:" must not read as two names (Node quotes it).
  const signer = { issuerDer: subjectDerOf(ca.nodeCert.raw), key: createPrivateKey(ca.keyPem), keyId: keyIdOf(ca.nodeCert.publicKey.export({ type: 'spki', format: 'der' })) };
  const leafKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const trickyDer = buildLeaf(
    {
      serial: '1234',
      subject: [{ type: 'CN', value: 'x' }],
      spki: leafKey.publicKey.export({ type: 'spki', format: 'der' }),
      sans: [{ type: 'uri', value: 'spiffe://other.test/agent/a, URI:spiffe://ferry.local/control/admin' }],
      purpose: 'client',
      notBefore: new Date(Date.now() - 60_000),
      notAfter: new Date(Date.now() + 60_000),
    },
    signer,
  );
  t.throws(() => verifyPeerCertificate(trickyDer, ca, { purpose: 'client' }), { code: 'FERRY_ERR_CERT', message: /malformed/ }, 'a SAN value with ", " cannot smuggle a second identity');
  const noEku = sign('noeku', 'subjectAltName=URI:spiffe://ferry.local/agent/x\n');
  t.throws(() => verifyPeerCertificate(noEku, ca, { purpose: 'client' }), { message: /^wrong purpose/ });
});

void t.test('RSA-2048 CA and leaves work with openssl and TLS', async (t) => {
  const dir = t.testdir();
  const ca = await createCA({ algorithm: 'rsa-2048' });
  const leaf = await ca.issueClient({ kind: 'agent', agent: 'old' }, { algorithm: 'rsa-2048' });
  const ecLeaf = await ca.issueClient({ kind: 'agent', agent: 'mixed' });
  writeFileSync(join(dir, 'ca.crt'), ca.certPem);
  writeFileSync(join(dir, 'leaf.crt'), leaf.certPem);
  writeFileSync(join(dir, 'ec.crt'), ecLeaf.certPem);
  t.match(openssl('verify', '-CAfile', join(dir, 'ca.crt'), join(dir, 'leaf.crt'), join(dir, 'ec.crt')), /leaf\.crt: OK[\s\S]*ec\.crt: OK/);
  t.match(openssl('x509', '-in', join(dir, 'leaf.crt'), '-noout', '-text'), /Public-Key: \(2048 bit\)[\s\S]*sha256WithRSAEncryption/);
  t.same(verifyPeerCertificate(leaf.certPem, ca, { purpose: 'client' }), { kind: 'agent', agent: 'old' });
  const otherCa = await createCA();
  t.throws(() => verifyPeerCertificate(leaf.certPem, otherCa, { purpose: 'client' }), { message: 'not issued by this CA' });
});

void t.test('bad issuance input is refused', async (t) => {
  const ca = await createCA();
  await t.rejects(ca.issueClient({ kind: 'agent', agent: 'No' }), { code: 'FERRY_ERR_BAD_INPUT' });
  await t.rejects(ca.issueServer({ dnsNames: ['bad name'] }), { code: 'FERRY_ERR_BAD_INPUT' });
  await t.rejects(ca.issueServer({ dnsNames: [], ipAddresses: ['300.1.1.1'] }), { code: 'FERRY_ERR_BAD_INPUT' });
  await t.rejects(ca.issueServer({ dnsNames: [] }), { code: 'FERRY_ERR_BAD_INPUT' });
  await t.rejects(ca.issueClient({ kind: 'agent', agent: 'a' }, { validityDays: -1 }), { code: 'FERRY_ERR_BAD_INPUT' });
  await t.rejects(createCA({ trustDomain: 'Bad Domain' }), { code: 'FERRY_ERR_BAD_INPUT' });
});
