import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { RevocationList, normalizeSerial } from '../../src/tokens/index.js';

const root = await mkdtemp(join(tmpdir(), 'ferry-revocations-'));
t.teardown(() => rm(root, { recursive: true, force: true }));
const now = (): number => Math.floor(Date.now() / 1000);

void t.test('revocations persist across re-open, file is 0600 JSON', async (t) => {
  const file = join(root, 'state', 'revoked.json');
  const list = await RevocationList.open(file);
  t.notOk(list.isJtiRevoked('a'));
  const expiresAt = now() + 600;
  await list.revokeJti('a', expiresAt);
  await list.revokeJti('b');
  await list.revokeSerial('0A:1B:2C');
  t.ok(list.isJtiRevoked('a'));
  t.ok(list.isSerialRevoked('a1b2c'), 'serial compared without separators, case or leading zeros');
  t.equal((await stat(file)).mode & 0o777, 0o600);
  t.same((await readdir(join(root, 'state'))).filter((n) => n.endsWith('.tmp')), [], 'no temp files left');

  const reopened = await RevocationList.open(file);
  t.ok(reopened.isJtiRevoked('a'));
  t.ok(reopened.isJtiRevoked('b'));
  t.notOk(reopened.isJtiRevoked('c'));
  t.ok(reopened.isSerialRevoked('0a1b2c'));
  t.ok(reopened.isSerialRevoked('A1B2C'));
  t.notOk(reopened.isSerialRevoked('a1b2d'));
  t.notOk(reopened.isSerialRevoked('not hex'));
  const listed = reopened.list();
  t.same(listed.jtis.map((e) => e.jti).sort(), ['a', 'b']);
  t.same(listed.serials.map((e) => e.serial), ['a1b2c']);
  t.equal(listed.jtis.find((e) => e.jti === 'a')?.expiresAt, expiresAt);
});

void t.test('concurrent revocations all land in the file', async (t) => {
  const file = join(root, 'concurrent.json');
  const list = await RevocationList.open(file);
  await Promise.all(Array.from({ length: 50 }, (_, i) => list.revokeJti(`jti-${i}`)));
  const reopened = await RevocationList.open(file);
  t.equal(reopened.list().jtis.length, 50);
});

void t.test('expired jti entries are pruned on load', async (t) => {
  const file = join(root, 'prune.json');
  const body = {
    version: 1,
    jtis: [
      { jti: 'long-gone', expiresAt: now() - 86_400, revokedAt: now() - 90_000 },
      { jti: 'just-expired', expiresAt: now() - 10, revokedAt: now() - 100 },
      { jti: 'forever', revokedAt: now() },
    ],
    serials: [{ serial: '00FF', revokedAt: now() }],
  };
  await writeFile(file, JSON.stringify(body));
  const list = await RevocationList.open(file);
  t.notOk(list.isJtiRevoked('long-gone'), 'pruned');
  t.ok(list.isJtiRevoked('just-expired'), 'kept through the clock-skew grace');
  t.ok(list.isJtiRevoked('forever'));
  t.ok(list.isSerialRevoked('ff'), 'hand-written serials are normalised');
  await list.revokeJti('new');
  const saved = JSON.parse(await readFile(file, 'utf8')) as { jtis: { jti: string }[] };
  t.same(saved.jtis.map((e) => e.jti).sort(), ['forever', 'just-expired', 'new']);
});

void t.test('a corrupt file is an error naming the file', async (t) => {
  const file = join(root, 'corrupt.json');
  await writeFile(file, '{"version":1,"jtis":[');
  await t.rejects(RevocationList.open(file), { code: 'FERRY_ERR_BAD_CONFIG', message: new RegExp(`${file} is not valid JSON`) });
  await writeFile(file, JSON.stringify({ version: 1, jtis: [{ jti: 5 }], serials: [] }));
  await t.rejects(RevocationList.open(file), { code: 'FERRY_ERR_BAD_CONFIG', message: new RegExp(`${file} is malformed at jtis.0`) });
  await writeFile(file, JSON.stringify({ version: 1, jtis: [], serials: [{ serial: 'xyz', revokedAt: 1 }] }));
  await t.rejects(RevocationList.open(file), { message: new RegExp(file) });
});

void t.test('bad input is refused', async (t) => {
  const list = await RevocationList.open(join(root, 'input.json'));
  await t.rejects(list.revokeJti(''), { code: 'FERRY_ERR_BAD_INPUT' });
  await t.rejects(list.revokeJti('x'.repeat(300)), { code: 'FERRY_ERR_BAD_INPUT' });
  await t.rejects(list.revokeJti('ok', 1.5), { code: 'FERRY_ERR_BAD_INPUT' });
  await t.rejects(list.revokeSerial('serial-1'), { code: 'FERRY_ERR_BAD_INPUT' });
  t.equal(normalizeSerial('00'), '0');
  t.equal(normalizeSerial('  de:AD:be:EF '), 'deadbeef');
});

void t.test('reload picks up another process’s revocations', async (t) => {
  const file = join(root, 'shared.json');
  const mine = await RevocationList.open(file);
  const theirs = await RevocationList.open(file);
  await theirs.revokeJti('from-replica-2');
  t.notOk(mine.isJtiRevoked('from-replica-2'));
  await mine.reload();
  t.ok(mine.isJtiRevoked('from-replica-2'));
});
