// Runs the real `ferry` launcher (bin/ferry -> dist/, built by `npm test`'s pretest).
import t from 'tap';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { makeCa, type MakeCaOptions } from '../../src/cli/make-ca.js';

const root = resolve(import.meta.dirname, '../..');
const ferryBin = join(root, 'bin/ferry');
if (!existsSync(join(root, 'dist/src/cli/main.js'))) throw new Error('dist/ is missing: run "npm run build" (npm test does it in pretest)');

function ferry(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [ferryBin, ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
const openssl = (...args: string[]): string => execFileSync('openssl', args, { encoding: 'utf8' });
const modeOf = (p: string): number => statSync(p).mode & 0o777;

void t.test('--help describes the options', (t) => {
  const r = ferry('make-ca', '--help');
  t.equal(r.status, 0);
  for (const opt of ['--out', '--agent', '--control', '--trust-domain', '--algorithm', '--days', '--kubernetes', '--namespace', '--force']) t.match(r.stdout, opt);
  t.end();
});

void t.test('make-ca --out DIR --agent a1 writes a verifiable CA', (t) => {
  const out = join(t.testdir(), 'certs');
  const r = ferry('make-ca', '--out', out, '--agent', 'a1');
  t.equal(r.status, 0, r.stderr);
  const files = ['ca.crt', 'ca.key', 'control-admin.crt', 'control-admin.key', 'agent-a1.crt', 'agent-a1.key'];
  t.same(r.stdout.trim().split('\n'), files.map((f) => `wrote ${join(out, f)}`), 'one line per file');
  t.same(readdirSync(out).sort(), [...files].sort(), 'no stray temp files');
  for (const f of files) t.equal(modeOf(join(out, f)), f.endsWith('.key') ? 0o600 : 0o644, `${f} mode`);
  for (const [cert, uri] of [['agent-a1.crt', 'agent/a1'], ['control-admin.crt', 'control/admin']] as const) {
    t.match(openssl('verify', '-CAfile', join(out, 'ca.crt'), join(out, cert)), /: OK/);
    t.match(openssl('x509', '-in', join(out, cert), '-noout', '-ext', 'subjectAltName'), `URI:spiffe://ferry.local/${uri}`);
    const key = cert.replace('.crt', '.key');
    t.equal(openssl('x509', '-in', join(out, cert), '-noout', '-pubkey'), openssl('pkey', '-in', join(out, key), '-pubout'), `${key} matches ${cert}`);
  }
  t.end();
});

void t.test('options: trust domain, algorithm, days, kubernetes secrets', (t) => {
  const out = t.testdir();
  const r = ferry('make-ca', '--out', out, '--agent', 'b2', '--control', 'ops', '--trust-domain', 'corp.example', '--algorithm', 'rsa-2048', '--days', '30', '--kubernetes', '--namespace', 'ferry-system');
  t.equal(r.status, 0, r.stderr);
  t.match(openssl('x509', '-in', join(out, 'agent-b2.crt'), '-noout', '-ext', 'subjectAltName'), 'URI:spiffe://corp.example/agent/b2');
  t.match(openssl('x509', '-in', join(out, 'agent-b2.crt'), '-noout', '-text'), /Public-Key: \(2048 bit\)/);
  const notAfter = new Date(openssl('x509', '-in', join(out, 'control-ops.crt'), '-noout', '-enddate').trim().replace('notAfter=', ''));
  const days = (notAfter.getTime() - Date.now()) / 86_400_000;
  t.ok(days > 29 && days <= 30, `30-day validity (${days})`);
  for (const base of ['agent-b2', 'control-ops']) {
    const file = join(out, `${base}-secret.yaml`);
    t.equal(modeOf(file), 0o600, 'the Secret holds a key: 0600');
    const doc = parse(readFileSync(file, 'utf8')) as { kind: string; type: string; metadata: { name: string; namespace: string }; data: Record<string, string> };
    t.equal(doc.kind, 'Secret');
    t.equal(doc.type, 'kubernetes.io/tls');
    t.equal(doc.metadata.namespace, 'ferry-system');
    t.equal(doc.metadata.name, `ferry-${base}`);
    const decoded = (k: string): string => Buffer.from(doc.data[k] ?? '', 'base64').toString('utf8');
    t.equal(decoded('tls.crt'), readFileSync(join(out, `${base}.crt`), 'utf8'));
    t.equal(decoded('tls.key'), readFileSync(join(out, `${base}.key`), 'utf8'));
    t.equal(decoded('ca.crt'), readFileSync(join(out, 'ca.crt'), 'utf8'));
  }
  t.end();
});

void t.test('an existing CA is not overwritten without --force', (t) => {
  const out = t.testdir();
  t.equal(ferry('make-ca', '--out', out, '--agent', 'a1').status, 0);
  const caBefore = readFileSync(join(out, 'ca.crt'), 'utf8');
  const agentBefore = readFileSync(join(out, 'agent-a1.key'), 'utf8');
  const r = ferry('make-ca', '--out', out, '--agent', 'a1');
  t.not(r.status, 0);
  t.equal(r.stderr, `ferry: ${join(out, 'ca.crt')} already exists; use --force to replace the CA\n`);
  t.equal(r.stdout, '');
  t.equal(readFileSync(join(out, 'ca.crt'), 'utf8'), caBefore);
  t.equal(readFileSync(join(out, 'agent-a1.key'), 'utf8'), agentBefore);
  const forced = ferry('make-ca', '--out', out, '--agent', 'a1', '--force');
  t.equal(forced.status, 0, forced.stderr);
  t.not(readFileSync(join(out, 'ca.crt'), 'utf8'), caBefore);
  t.match(openssl('verify', '-CAfile', join(out, 'ca.crt'), join(out, 'agent-a1.crt')), /OK/);
  t.end();
});

void t.test('bad input through the CLI: one clear line, non-zero exit, nothing written', (t) => {
  const base = t.testdir({ 'a-file': 'x' });
  const out = join(base, 'never');
  const r = ferry('make-ca', '--out', out, '--agent', 'Bad_Name');
  t.not(r.status, 0);
  t.match(r.stderr, /^ferry: invalid agent name "Bad_Name": [^\n]+\n$/);
  t.notOk(existsSync(out), 'nothing written');
  const unwritable = join(base, 'a-file', 'certs');
  const u = ferry('make-ca', '--out', unwritable, '--agent', 'a1');
  t.not(u.status, 0);
  t.equal(u.stderr, `ferry: output directory ${unwritable} is not writable (ENOTDIR)\n`);
  t.end();
});

void t.test('every option is validated before anything is written', async (t) => {
  const base = t.testdir();
  const defaults: MakeCaOptions = { out: join(base, 'never'), agents: ['a1'], control: 'admin', trustDomain: 'ferry.local', algorithm: 'ecdsa-p256', days: 365, caDays: 3650, kubernetes: false, namespace: 'default', force: false };
  const cases: Array<[Partial<MakeCaOptions>, RegExp]> = [
    [{ agents: ['a1', 'a1'] }, /^agent "a1" given twice$/],
    [{ agents: ['ok', 'x'.repeat(64)] }, /^invalid agent name "x{64}"/],
    [{ control: 'x.y' }, /^invalid control name "x\.y"/],
    [{ trustDomain: 'Not A Domain' }, /^invalid trust domain/],
    [{ kubernetes: true, namespace: 'Bad NS' }, /^invalid namespace/],
  ];
  for (const [patch, message] of cases) {
    await t.rejects(makeCa({ ...defaults, ...patch }), { code: 'FERRY_ERR_BAD_INPUT', message }, JSON.stringify(patch));
  }
  t.notOk(existsSync(defaults.out), 'nothing written');
});

void t.test('a read-only directory is refused before anything is written', { skip: process.getuid?.() === 0 ? 'root can write anywhere' : false }, (t) => {
  const out = t.testdir();
  chmodSync(out, 0o555);
  t.teardown(() => chmodSync(out, 0o755));
  const r = ferry('make-ca', '--out', out);
  t.not(r.status, 0);
  t.match(r.stderr, `output directory ${out} is not writable`);
  t.same(readdirSync(out), []);
  t.end();
});

void t.test('a target that cannot be replaced stops make-ca before any file is written', (t) => {
  // A directory squatting on the last target's name would make its rename fail.
  const out = t.testdir({ 'agent-a1.key': {} });
  writeFileSync(join(out, 'marker'), 'x');
  const r = ferry('make-ca', '--out', out, '--agent', 'a1');
  t.not(r.status, 0);
  t.match(r.stderr.trim(), /^ferry: cannot write .*agent-a1\.key \(not a regular file\)$/);
  t.equal(r.stderr.trim().split('\n').length, 1);
  t.same(readdirSync(out).sort(), ['agent-a1.key', 'marker'], 'no CA, no temp files');
  t.end();
});
