// The state store contract against PostgreSQL (a throw-away cluster, one schema per
// backing store), plus what only the database store promises: sealed private keys, a
// migration run by several replicas at once, a clear error when the database is down, and
// freshness that stops when the change feed is gone and resumes when it is back.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { PgStore } from '../../src/state/pg-store.js';
import { runStoreContract } from '../../src/state/store-contract.js';
import { ValueCipher } from '../../src/state/value-cipher.js';
import { freePort } from '../../testkit/net.js';
import { PG_BIN, startPostgres } from '../../testkit/postgres.js';
import { exec } from '../../testkit/exec.js';
import { startPartitionRelay } from '../../testkit/partition-relay.js';

const pg = await startPostgres();
t.teardown(() => pg.stop());
const tmp = await mkdtemp(join(tmpdir(), 'ferry-pg-store-'));
t.teardown(() => rm(tmp, { recursive: true, force: true }));
const cipher = new ValueCipher(randomBytes(32));
let count = 0;

runStoreContract(t, () => {
  const schema = `contract_${++count}`;
  return Promise.resolve(() => PgStore.open({ url: pg.url, schema, cipher, pollMs: 500 }));
});

const PEM = '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgSECRET\n-----END PRIVATE KEY-----\n';

void t.test('private keys are sealed: neither a SELECT nor pg_dump shows them', async (t) => {
  const store = await PgStore.open({ url: pg.url, schema: 'sealed', cipher });
  t.teardown(() => store.close());
  await store.put('token-keys/1700000000000', { pem: PEM, chain: 'CHAIN' });
  await store.put('agents/edge', { onboardedAt: 1 });
  t.same((await store.get('token-keys/1700000000000'))?.value, { pem: PEM, chain: 'CHAIN' }, 'read back in the clear');
  const selected = await pg.psql("SELECT value::text FROM sealed.ferry_state WHERE key LIKE 'token-keys/%'");
  t.notMatch(selected, /PRIVATE KEY|SECRET|CHAIN/, 'a SELECT shows only the envelope');
  t.match(selected, /\$ferrySealed/);
  const dump = await exec(join(PG_BIN, 'pg_dump'), ['-h', '127.0.0.1', '-p', String(pg.port), '-U', 'postgres', '-n', 'sealed', 'postgres'], { env: { ...process.env } });
  t.equal(dump.code, 0, dump.stderr);
  t.match(dump.stdout, /agents\/edge/, 'the dump holds the table');
  t.notMatch(dump.stdout, /PRIVATE KEY|SECRET/, 'and no private key');
  // Another replica with another key cannot open it, and says so without the value.
  const other = await PgStore.open({ url: pg.url, schema: 'sealed', cipher: new ValueCipher(randomBytes(32)) });
  t.teardown(() => other.close());
  await t.rejects(other.get('token-keys/1700000000000'), { code: 'FERRY_ERR_BAD_CONFIG', message: /wrong store key/ });
  // A sealed value copied onto another key does not open (the key is bound in).
  await pg.psql("INSERT INTO sealed.ferry_state (key, value, version) SELECT 'token-keys/1', value, 999999 FROM sealed.ferry_state WHERE key = 'token-keys/1700000000000'");
  await t.rejects(store.get('token-keys/1'), { code: 'FERRY_ERR_BAD_CONFIG' });
  // Without a key, a secret is refused rather than written in the clear.
  const keyless = await PgStore.open({ url: pg.url, schema: 'sealed' });
  t.teardown(() => keyless.close());
  await t.rejects(keyless.put('token-keys/2', { pem: PEM }), { code: 'FERRY_ERR_BAD_CONFIG', message: /store\.keyFile/ });
});

void t.test('the store key file: raw, hex or base64; bad ones named, content never shown', async (t) => {
  const key = randomBytes(32);
  for (const [name, content] of [
    ['raw.key', key],
    ['hex.key', `${key.toString('hex')}\n`],
    ['b64.key', `${key.toString('base64')}\n`],
  ] as const) {
    await writeFile(join(tmp, name), content);
    t.equal((await ValueCipher.fromFile(join(tmp, name))).keyId, new ValueCipher(key).keyId, name);
  }
  await writeFile(join(tmp, 'short.key'), 'hunter2-not-a-key');
  await t.rejects(ValueCipher.fromFile(join(tmp, 'short.key')), { code: 'FERRY_ERR_BAD_CONFIG', message: /short\.key must hold 32 bytes/ });
  const err = (await ValueCipher.fromFile(join(tmp, 'short.key')).then(() => new Error('opened'), (e: unknown) => e)) as Error;
  t.notMatch(err.message, /hunter2/, 'the file content is not in the message');
  await t.rejects(ValueCipher.fromFile(join(tmp, 'missing.key')), { message: /cannot read the store key file .*missing\.key/ });
});

void t.test('migrations: run by four replicas at once, then again, leave one schema', async (t) => {
  const stores = await Promise.all(Array.from({ length: 4 }, () => PgStore.open({ url: pg.url, schema: 'migrated', cipher })));
  for (const s of stores) await s.close();
  const again = await PgStore.open({ url: pg.url, schema: 'migrated', cipher });
  await again.close();
  t.equal((await pg.psql('SELECT count(*) FROM migrated.ferry_migrations')).trim(), '1', 'one migration recorded');
});

void t.test('the database down at open: a clear error naming it, without the password', async (t) => {
  const port = await freePort();
  const started = Date.now();
  const err = (await PgStore.open({ url: `postgres://ferry:s3cret-pw@127.0.0.1:${port}/ferry`, connectTimeoutMs: 2000 }).then(
    () => new Error('opened'),
    (e: unknown) => e,
  )) as Error & { code?: string };
  t.equal(err.code, 'FERRY_ERR_UNAVAILABLE');
  t.match(err.message, new RegExp(`cannot open the state store at postgresql://127\\.0\\.0\\.1:${port}/ferry`));
  t.notMatch(err.message, /s3cret/);
  t.ok(Date.now() - started < 5000, 'fails fast');
});

void t.test('the database stopped and started: freshness stops, reads fail, then both resume and missed changes arrive', async (t) => {
  const url = await pg.database('outage');
  const a = await PgStore.open({ url, cipher, pollMs: 200, connectTimeoutMs: 1000 });
  const b = await PgStore.open({ url, cipher, pollMs: 200, connectTimeoutMs: 1000 });
  t.teardown(async () => {
    await a.close();
    await b.close();
  });
  const seen: string[] = [];
  a.watch('revocations/', (c) => seen.push(c.key));
  t.ok(Date.now() - a.freshAt() < 1000, 'fresh while the database is up');
  await pg.halt();
  await t.rejects(a.get('revocations/jti/x'), { code: 'FERRY_ERR_UNAVAILABLE' });
  const haltedAt = Date.now();
  await new Promise((r) => setTimeout(r, 1000));
  t.ok(a.freshAt() <= haltedAt, `freshness stopped (${haltedAt - a.freshAt()} ms old at the halt)`);
  await pg.start();
  await b.put('revocations/jti/after-outage', { revokedAt: 1 });
  const deadline = Date.now() + 8000;
  while (!seen.includes('revocations/jti/after-outage') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  t.ok(seen.includes('revocations/jti/after-outage'), 'a change after the outage arrives');
  while (Date.now() - a.freshAt() > 1000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  t.ok(Date.now() - a.freshAt() < 1000, 'fresh again');
});

void t.test('a network partition between a replica and the database: freshness stops; healed, it catches up', async (t) => {
  const url = await pg.database('partition');
  const relay = await startPartitionRelay(pg.port);
  t.teardown(() => relay.close());
  const a = await PgStore.open({ url: url.replace(`:${pg.port}/`, `:${relay.port}/`), cipher, pollMs: 200, connectTimeoutMs: 1000 });
  const b = await PgStore.open({ url, cipher, pollMs: 200 });
  t.teardown(async () => {
    await a.close();
    await b.close();
  });
  const seen: string[] = [];
  a.watch('revocations/', (c) => seen.push(c.key));
  t.ok(Date.now() - a.freshAt() < 1000, 'fresh before the partition');
  relay.cut();
  const cutAt = Date.now();
  await b.put('revocations/jti/during-partition', { revokedAt: 1 });
  const stale = await waitFor(() => Date.now() - a.freshAt() > 1000, 3000);
  t.ok(stale, `freshness stopped at ${cutAt - a.freshAt()} ms before the cut`);
  t.notOk(seen.includes('revocations/jti/during-partition'), 'the change made during the partition has not arrived');
  relay.heal();
  t.ok(await waitFor(() => seen.includes('revocations/jti/during-partition'), 10_000), 'healed: the missed change arrives');
  t.ok(await waitFor(() => Date.now() - a.freshAt() < 1000, 5000), 'and the replica is fresh again');
});

async function waitFor(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}
