// Secrets from files, env and Secret mounts: read, trimmed, re-read on change (including
// kubelet's `..data` symlink swap for projected tokens and Secret volumes), and a missing
// one is a reason that names where it lives and never what it holds.
import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { SecretValue } from '../../src/services/credentials.js';
import { eventually } from './recorder.js';

const dir = await mkdtemp(join(tmpdir(), 'ferry-cred-'));
t.teardown(() => rm(dir, { recursive: true, force: true }));

void t.test('a file: trimmed, re-read when replaced, reported when gone and back', async (t) => {
  const file = join(dir, 'token');
  await writeFile(file, 'first-token\n');
  let changes = 0;
  const s = new SecretValue({ file }, { label: 'x-a/b token', pollMs: 0, onChange: () => changes++ });
  t.teardown(() => s.close());
  await s.start();
  t.equal(s.get(), 'first-token');
  t.equal(s.problem, undefined);

  // Atomic replace, as most tools write.
  await writeFile(`${file}.tmp`, 'second-token');
  await rename(`${file}.tmp`, file);
  t.ok(await eventually(() => s.get() === 'second-token', 3000), 'the rotated value is used (fs.watch)');

  await rm(file);
  t.ok(await eventually(() => s.problem !== undefined, 3000), 'a deleted file is noticed');
  t.equal(s.problem, `x-a/b token: file ${file}: file not found`);
  t.equal(s.get(), '', 'no stale value is served');

  await writeFile(file, 'third-token');
  t.ok(await eventually(() => s.get() === 'third-token', 3000), 'and its return');
  t.ok(changes >= 3);
});

void t.test('a projected token / Secret volume: the ..data symlink swap is seen', async (t) => {
  const mount = join(dir, 'sa');
  await mkdir(join(mount, '..2024_01'), { recursive: true });
  await writeFile(join(mount, '..2024_01', 'token'), 'projected-1');
  await symlink('..2024_01', join(mount, '..data'));
  await symlink('..data/token', join(mount, 'token'));
  const s = new SecretValue({ secret: { dir: mount, key: 'token' } }, { label: 'kubernetes/k token', pollMs: 0 });
  t.teardown(() => s.close());
  await s.start();
  t.equal(s.get(), 'projected-1');

  // What kubelet's AtomicWriter does: new timestamped folder, new ..data link renamed over the old.
  await mkdir(join(mount, '..2024_02'));
  await writeFile(join(mount, '..2024_02', 'token'), 'projected-2');
  await symlink('..2024_02', join(mount, '..data_tmp'));
  await rename(join(mount, '..data_tmp'), join(mount, '..data'));
  await rm(join(mount, '..2024_01'), { recursive: true });
  t.ok(await eventually(() => s.get() === 'projected-2', 3000), 'rotated without a restart');
});

void t.test('periodic stat catches what fs.watch cannot (folder missing at start)', async (t) => {
  const later = join(dir, 'later', 'pw');
  const s = new SecretValue({ file: later }, { label: 'jenkins/ci password', pollMs: 100 });
  t.teardown(() => s.close());
  await s.start();
  t.match(s.problem, /jenkins\/ci password: file .*later\/pw: file not found/);
  await mkdir(join(dir, 'later'));
  await writeFile(later, 'appeared');
  t.ok(await eventually(() => s.get() === 'appeared', 3000));
});

void t.test('env: set, unset, empty', async (t) => {
  const a = new SecretValue({ env: 'TOKEN_A' }, { label: 'argocd/cd token', env: { TOKEN_A: ' tok ' } });
  await a.start();
  t.equal(a.get(), 'tok');
  const b = new SecretValue({ env: 'TOKEN_B' }, { label: 'argocd/cd token', env: {} });
  await b.start();
  t.equal(b.problem, 'argocd/cd token: environment variable TOKEN_B is not set');
  const file = join(dir, 'empty');
  await writeFile(file, '\n');
  const c = new SecretValue({ file }, { label: 'x-a/b token', pollMs: 0 });
  await c.start();
  t.equal(c.problem, `x-a/b token: file ${file} is empty`);
  c.close();
});

void t.test('PEM keeps its whitespace when asked', async (t) => {
  const file = join(dir, 'cert.pem');
  await writeFile(file, '-----BEGIN X-----\nabc\n-----END X-----\n');
  const s = new SecretValue({ file }, { label: 'x', trim: false, pollMs: 0 });
  await s.start();
  t.equal(s.get(), '-----BEGIN X-----\nabc\n-----END X-----\n');
  s.close();
});
