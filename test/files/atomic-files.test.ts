import t from 'tap';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureWritableDir, writeFilesAtomically, writePublicFile, writeSecretFile } from '../../src/pki/index.js';

const modeOf = (p: string): number => statSync(p).mode & 0o777;

void t.test('secret files are 0600, public files 0644, no temp files left', async (t) => {
  const dir = t.testdir();
  await writeSecretFile(join(dir, 'k.key'), 'secret');
  await writePublicFile(join(dir, 'c.crt'), 'public');
  t.equal(modeOf(join(dir, 'k.key')), 0o600);
  t.equal(modeOf(join(dir, 'c.crt')), 0o644);
  t.same(readdirSync(dir).sort(), ['c.crt', 'k.key']);
});

void t.test('overwriting an existing world-readable file leaves it 0600', async (t) => {
  const dir = t.testdir({ 'k.key': 'old' });
  const p = join(dir, 'k.key');
  writeFileSync(p, 'old', { mode: 0o644 });
  await writeSecretFile(p, 'new');
  t.equal(readFileSync(p, 'utf8'), 'new');
  t.equal(modeOf(p), 0o600);
});

void t.test('all or nothing: a failing file leaves no target and no temp behind', async (t) => {
  const dir = t.testdir({ existing: 'keep' });
  await t.rejects(
    writeFilesAtomically([
      { path: join(dir, 'a.crt'), data: 'a', mode: 0o644 },
      { path: join(dir, 'no-such-dir', 'b.key'), data: 'b', mode: 0o600 },
    ]),
    { code: 'FERRY_ERR_IO', message: /no-such-dir\/b\.key/ },
  );
  t.same(readdirSync(dir), ['existing']);
});

void t.test('a directory in place of a target is found before anything is replaced', async (t) => {
  const dir = t.testdir({ 'a.crt': 'old a', 'b.key': {} });
  await t.rejects(
    writeFilesAtomically([
      { path: join(dir, 'a.crt'), data: 'new a', mode: 0o644 },
      { path: join(dir, 'b.key'), data: 'b', mode: 0o600 },
    ]),
    { code: 'FERRY_ERR_IO', message: /b\.key \(not a regular file\)/ },
  );
  t.equal(readFileSync(join(dir, 'a.crt'), 'utf8'), 'old a');
  t.same(readdirSync(dir).sort(), ['a.crt', 'b.key']);
});

void t.test('ensureWritableDir creates the dir and names an unusable one', async (t) => {
  const dir = t.testdir({ file: 'x' });
  await ensureWritableDir(join(dir, 'new', 'deeper'));
  t.ok(statSync(join(dir, 'new', 'deeper')).isDirectory());
  await t.rejects(ensureWritableDir(join(dir, 'file', 'sub')), { code: 'FERRY_ERR_IO', message: /file\/sub is not writable/ });
});
