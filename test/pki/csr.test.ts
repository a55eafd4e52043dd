import t from 'tap';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCA, createCsr, verifyPeerCertificate } from '../../src/pki/index.js';

const openssl = (args: string[], input?: string): string => execFileSync('openssl', args, { encoding: 'utf8', input });

void t.test('CSR signing keeps the agent key on the agent side', async (t) => {
  const dir = t.testdir();
  const ca = await createCA();
  // Agent side: key and CSR made together; only the CSR goes to the CA.
  const { csrPem, keyPem } = await createCsr({ kind: 'agent', agent: 'a1' }, ca.trustDomain);
  t.notMatch(csrPem, /PRIVATE KEY/);
  const { certPem, serial } = await ca.signCsr(csrPem, { kind: 'agent', agent: 'a1' });
  t.match(serial, /^[0-9a-f]{32}$/);
  writeFileSync(join(dir, 'ca.crt'), ca.certPem);
  writeFileSync(join(dir, 'a1.crt'), certPem);
  t.match(openssl(['verify', '-CAfile', join(dir, 'ca.crt'), join(dir, 'a1.crt')]), /OK/);
  const certPub = openssl(['x509', '-noout', '-pubkey'], certPem);
  t.equal(certPub, openssl(['req', '-noout', '-pubkey'], csrPem), 'issued cert has the CSR public key');
  t.equal(certPub, openssl(['pkey', '-pubout'], keyPem), 'which is the agent private key');
  t.same(verifyPeerCertificate(certPem, ca, { purpose: 'client' }), { kind: 'agent', agent: 'a1' });
  const exts = openssl(['x509', '-noout', '-ext', 'subjectAltName,extendedKeyUsage,basicConstraints'], certPem);
  t.match(exts, /URI:spiffe:\/\/ferry\.local\/agent\/a1/);
  t.match(exts, /TLS Web Client Authentication/);
  t.match(exts, /CA:FALSE/);
});

void t.test('a CSR for another identity is refused', async (t) => {
  const ca = await createCA();
  const { csrPem } = await createCsr({ kind: 'agent', agent: 'a1' }, ca.trustDomain);
  await t.rejects(ca.signCsr(csrPem, { kind: 'agent', agent: 'a2' }), { code: 'FERRY_ERR_CSR', message: /agent\/a2/ });
  await t.rejects(ca.signCsr(csrPem, { kind: 'control', name: 'a1' }), { code: 'FERRY_ERR_CSR' }, 'same CN, different kind: the URI differs');
  const otherDomain = await createCsr({ kind: 'agent', agent: 'a1' }, 'other.test');
  await t.rejects(ca.signCsr(otherDomain.csrPem, { kind: 'agent', agent: 'a1' }), { code: 'FERRY_ERR_CSR', message: /other\.test/ });
});

void t.test('user and service CSRs', async (t) => {
  const ca = await createCA();
  const alice = { kind: 'user', name: 'alice', groups: ['dev', 'ops'] } as const;
  const { csrPem } = await createCsr({ ...alice, groups: [...alice.groups] }, ca.trustDomain);
  const { certPem } = await ca.signCsr(csrPem, { ...alice, groups: ['ops', 'dev'] });
  t.same(verifyPeerCertificate(certPem, ca, { purpose: 'client' }), { kind: 'user', name: 'alice', groups: ['ops', 'dev'] });
  await t.rejects(ca.signCsr(csrPem, { kind: 'user', name: 'alice', groups: ['dev'] }), { code: 'FERRY_ERR_CSR', message: /groups/ });
  const svc = { kind: 'service', agent: 'a1', type: 'jenkins', name: 'ci' } as const;
  const s = await createCsr(svc, ca.trustDomain, 'rsa-2048');
  const signed = await ca.signCsr(s.csrPem, svc);
  t.same(verifyPeerCertificate(signed.certPem, ca, { purpose: 'client' }), svc);
});

void t.test('openssl-made CSRs: plain ones are signed, greedy ones refused', async (t) => {
  const dir = t.testdir();
  const ca = await createCA();
  let n = 0;
  const csr = (subj: string, extra: string[] = [], keyArgs = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256']): string => {
    const out = join(dir, `r${n++}.csr`);
    openssl(['req', '-new', ...keyArgs, '-nodes', '-keyout', `${out}.key`, '-subj', subj, ...extra, '-out', out]);
    return openssl(['req', '-in', out]);
  };
  const a1 = { kind: 'agent', agent: 'a1' } as const;
  const plain = await ca.signCsr(csr('/CN=a1'), a1);
  t.same(verifyPeerCertificate(plain.certPem, ca, { purpose: 'client' }), a1);
  const withUri = await ca.signCsr(csr('/CN=a1', ['-addext', 'subjectAltName=URI:spiffe://ferry.local/agent/a1']), a1);
  t.same(verifyPeerCertificate(withUri.certPem, ca, { purpose: 'client' }), a1);

  const refusals: Array<[string, string, string[], string[]?]> = [
    ['other CN', '/CN=a2', []],
    ['extra subject attribute', '/CN=a1/O=system:masters', []],
    ['extra DNS SAN', '/CN=a1', ['-addext', 'subjectAltName=URI:spiffe://ferry.local/agent/a1,DNS:evil.example']],
    ['serverAuth', '/CN=a1', ['-addext', 'extendedKeyUsage=serverAuth']],
    ['CA', '/CN=a1', ['-addext', 'basicConstraints=critical,CA:TRUE']],
    ['certSign usage', '/CN=a1', ['-addext', 'keyUsage=keyCertSign']],
    ['no identity', '/O=x', []],
    ['weak RSA', '/CN=a1', [], ['-newkey', 'rsa:1024']],
  ];
  for (const [what, subj, extra, keyArgs] of refusals) {
    await t.rejects(ca.signCsr(csr(subj, extra, keyArgs), a1), { code: 'FERRY_ERR_CSR' }, what);
  }
  const emptySubject = csr('/', []);
  await t.rejects(ca.signCsr(emptySubject, a1), { code: 'FERRY_ERR_CSR', message: /names no identity/ });
});

void t.test('tampered or garbage CSRs are refused', async (t) => {
  const ca = await createCA();
  const { csrPem } = await createCsr({ kind: 'agent', agent: 'a1' }, ca.trustDomain);
  const der = Buffer.from(csrPem.replace(/-----[^-]+-----/g, '').replace(/\s/g, ''), 'base64');
  // Flip a bit inside the subject CN ("a1" -> "a0"): the signature no longer matches.
  const at = der.indexOf(Buffer.from('a1'));
  der[at + 1] = 0x30;
  const tampered = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
  await t.rejects(ca.signCsr(tampered, { kind: 'agent', agent: 'a0' }), { code: 'FERRY_ERR_CSR', message: /signature/ });
  await t.rejects(ca.signCsr('hello', { kind: 'agent', agent: 'a1' }), { code: 'FERRY_ERR_CSR', message: /not a PEM/ });
  await t.rejects(ca.signCsr('-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n', { kind: 'agent', agent: 'a1' }), { code: 'FERRY_ERR_CSR' });
  await t.rejects(ca.signCsr(csrPem, { kind: 'agent', agent: 'BAD' }), { code: 'FERRY_ERR_BAD_INPUT' });
});
