// The state store contract against the file store, plus what only the file store promises:
// today's files stay where they are and in their format.
import { mkdtemp, readdir, readFile, rm, stat, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { FileStore } from '../../src/state/index.js';
import { runStoreContract } from '../../src/state/store-contract.js';

const root = await mkdtemp(join(tmpdir(), 'ferry-file-store-'));
t.teardown(() => rm(root, { recursive: true, force: true }));
let count = 0;

runStoreContract(t, () => {
  const dir = join(root, `contract-${++count}`);
  return Promise.resolve(() => FileStore.open({ dir, pollMs: 500 }));
});

void t.test('keys land in the files ferry has always written', async (t) => {
  const dir = join(root, 'layout');
  const store = await FileStore.open({ dir });
  t.teardown(() => store.close());
  await store.put('revocations/jti/j1', { revokedAt: 10, expiresAt: 20 });
  await store.put('revocations/serial/ff', { revokedAt: 11 });
  await store.put('agents/edge', { onboardedAt: 12 });
  await store.put('bootstrap-spent/b1', { exp: 13, agent: 'edge' });
  await store.put('token-keys/1700000000000', { pem: 'PEM\n', chain: 'CHAIN\n' });
  await store.put('something/else', { any: 'json' });
  t.same(JSON.parse(await readFile(join(dir, 'revocations.json'), 'utf8')), {
    version: 1,
    jtis: [{ jti: 'j1', expiresAt: 20, revokedAt: 10 }],
    serials: [{ serial: 'ff', revokedAt: 11 }],
  });
  t.same(JSON.parse(await readFile(join(dir, 'agents.json'), 'utf8')), {
    version: 1,
    agents: { edge: { onboardedAt: 12 } },
    spentBootstrap: [{ jti: 'b1', exp: 13, agent: 'edge' }],
  });
  t.equal(await readFile(join(dir, 'token-keys', 'token-key-1700000000000.pem'), 'utf8'), 'PEM\n');
  t.equal(await readFile(join(dir, 'token-keys', 'token-key-1700000000000.crt'), 'utf8'), 'CHAIN\n');
  t.equal((await stat(join(dir, 'token-keys'))).mode & 0o777, 0o700);
  for (const file of ['revocations.json', 'agents.json', 'state.json', 'token-keys/token-key-1700000000000.pem']) {
    t.equal((await stat(join(dir, file))).mode & 0o777, 0o600, `${file} is 0600`);
  }
  t.same((await readdir(dir)).filter((n) => n.endsWith('.tmp') || n.endsWith('.lock')), [], 'no temp or lock files left');
  await store.put('token-keys/1700000000000', { pem: 'PEM\n' });
  await t.rejects(stat(join(dir, 'token-keys', 'token-key-1700000000000.crt')), { code: 'ENOENT' }, 'chain removed with the value');
  await store.delete('token-keys/1700000000000');
  t.same(await readdir(join(dir, 'token-keys')), []);
  await t.rejects(store.put('token-keys/not-digits', { pem: 'x' }), { code: 'FERRY_ERR_BAD_INPUT' });
  await t.rejects(store.put('revocations/jti/bad', { revokedAt: 'yesterday' }), { code: 'FERRY_ERR_BAD_INPUT' });
});

void t.test('an existing dataDir is read as it is', async (t) => {
  const dir = join(root, 'existing');
  await mkdir(join(dir, 'token-keys'), { recursive: true });
  await writeFile(join(dir, 'revocations.json'), JSON.stringify({ version: 1, jtis: [{ jti: 'old', revokedAt: 1 }], serials: [] }));
  await writeFile(join(dir, 'agents.json'), JSON.stringify({ version: 1, agents: { a: { onboardedAt: 2 } }, spentBootstrap: [] }));
  await writeFile(join(dir, 'token-keys', 'token-key-5.pem'), 'KEY');
  const store = await FileStore.open({ dir });
  t.teardown(() => store.close());
  t.same((await store.get('revocations/jti/old'))?.value, { revokedAt: 1 });
  t.same((await store.get('agents/a'))?.value, { onboardedAt: 2 });
  t.same((await store.get('token-keys/5'))?.value, { pem: 'KEY' });
  t.equal(store.describe('token-keys/5'), join(dir, 'token-keys', 'token-key-5.pem'));
  await writeFile(join(dir, 'agents.json'), '{');
  await t.rejects(FileStore.open({ dir }), { code: 'FERRY_ERR_BAD_CONFIG', message: /agents\.json is not valid JSON/ });
});

void t.test('a lock left by a crashed process is taken over', async (t) => {
  const dir = join(root, 'stale-lock');
  await mkdir(dir, { recursive: true });
  const lock = join(dir, '.state.lock');
  await writeFile(lock, '999999 long ago\n');
  const { utimes } = await import('node:fs/promises');
  await utimes(lock, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
  const store = await FileStore.open({ dir });
  t.teardown(() => store.close());
  await store.put('contract/after-crash', 1);
  t.equal((await store.get('contract/after-crash'))?.value, 1);
});

void t.test('without fs.watch events, the re-read alone brings another instance’s change within 2 s', async (t) => {
  const { controllerTables } = await import('../../src/state/index.js');
  const dir = join(root, 'poll-only');
  // No folders to watch: only the periodic re-read is left (as on file systems where fs.watch is deaf).
  const deaf = () => controllerTables(dir).map((table) => ({ ...table, watchDirs: [] }));
  const a = await FileStore.open({ dir, tables: deaf() });
  const b = await FileStore.open({ dir, tables: deaf() });
  t.teardown(async () => {
    await a.close();
    await b.close();
  });
  // The store's timers do not hold the process open (a controller's servers do); this one does.
  let guard: NodeJS.Timeout | undefined;
  const seen = new Promise<number>((resolve) => {
    guard = setTimeout(() => resolve(Infinity), 3000);
    const stop = a.watch('revocations/', () => {
      stop();
      resolve(Date.now());
    });
  });
  const started = Date.now();
  await b.put('revocations/jti/polled', { revokedAt: 1 });
  const took = (await seen) - started;
  clearTimeout(guard);
  t.ok(took < 2000, `seen after ${took} ms`);
});
