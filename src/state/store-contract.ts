// The behaviour every StateStore must have, written once: the file store's test runs it,
// and so will any later implementation (a database for several replicas). `backing()`
// makes a fresh, empty backing store and returns a function that opens an instance on it;
// two instances stand for two controller processes.
import type { Test } from 'tap';
import { ABSENT, type StateStore, type StoreChange } from './store.js';

export type OpenInstance = () => Promise<StateStore>;

export function runStoreContract(t: Test, backing: () => Promise<OpenInstance>): void {
  const open = async (tt: Test): Promise<StateStore> => {
    const store = await (await backing())();
    tt.teardown(() => store.close());
    return store;
  };
  const pair = async (tt: Test): Promise<[StateStore, StateStore]> => {
    const openInstance = await backing();
    const a = await openInstance();
    const b = await openInstance();
    tt.teardown(async () => {
      await a.close();
      await b.close();
    });
    return [a, b];
  };

  void t.test('get, put, delete with versions', async (t) => {
    const store = await open(t);
    t.equal(await store.get('contract/a'), undefined, 'absent key');
    const v1 = await store.put('contract/a', { n: 1, list: ['x'] });
    t.not(v1, ABSENT, 'a stored value has a version');
    t.same(await store.get('contract/a'), { key: 'contract/a', value: { n: 1, list: ['x'] }, version: v1 });
    const v2 = await store.put('contract/a', { n: 2 });
    t.not(v2, v1, 'a new value has a new version');
    t.equal((await store.get('contract/a'))?.version, v2);
    await store.delete('contract/a');
    t.equal(await store.get('contract/a'), undefined, 'deleted');
    await store.delete('contract/a');
    t.pass('deleting an absent key is fine');
    const got = await store.put('contract/b', 'text');
    const entry = await store.get('contract/b');
    t.equal(entry?.value, 'text');
    t.equal(entry?.version, got);
  });

  void t.test('compare-and-set: create-if-absent, then only from the current version', async (t) => {
    const store = await open(t);
    const v1 = await store.compareAndSet('contract/cas', ABSENT, { owner: 'first' });
    t.ok(v1 !== undefined && v1 !== ABSENT, 'created when absent');
    t.equal(await store.compareAndSet('contract/cas', ABSENT, { owner: 'second' }), undefined, 'not created twice');
    t.same((await store.get('contract/cas'))?.value, { owner: 'first' });
    const v2 = await store.compareAndSet('contract/cas', v1!, { owner: 'third' });
    t.ok(v2 !== undefined, 'updated from the current version');
    t.equal(await store.compareAndSet('contract/cas', v1!, { owner: 'stale' }), undefined, 'a stale version loses');
    t.same((await store.get('contract/cas'))?.value, { owner: 'third' });
    await store.delete('contract/cas');
    t.ok(await store.compareAndSet('contract/cas', ABSENT, { owner: 'again' }), 'absent again after delete');
  });

  void t.test('list by prefix, sorted, across the kinds of state the controller keeps', async (t) => {
    const store = await open(t);
    const values = {
      'revocations/jti/j1': { revokedAt: 1, expiresAt: 2 },
      'revocations/serial/ab12': { revokedAt: 3 },
      'agents/edge-1': { onboardedAt: 4 },
      'bootstrap-spent/jti-9': { exp: 5, agent: 'edge-1' },
      'token-keys/1700000000000': { pem: '-----BEGIN PRIVATE KEY-----\nAA==\n-----END PRIVATE KEY-----\n' },
      'contract/list/b': [1, 2],
      'contract/list/a': true,
      'contract/other': null,
    };
    for (const [key, value] of Object.entries(values)) await store.put(key, value);
    const listed = await store.list('contract/list/');
    t.same(listed.map((e) => e.key), ['contract/list/a', 'contract/list/b']);
    t.same(listed.map((e) => e.value), [true, [1, 2]]);
    t.same((await store.list('revocations/')).map((e) => e.key), ['revocations/jti/j1', 'revocations/serial/ab12']);
    for (const [key, value] of Object.entries(values)) t.same((await store.get(key))?.value, value, `${key} round-trips`);
    const all = (await store.list('')).map((e) => e.key);
    t.same(all, [...Object.keys(values)].sort(), 'the empty prefix lists everything');
    t.same(await store.list('contract/none/'), []);
  });

  void t.test('two instances: a compare-and-set race has exactly one winner', async (t) => {
    const [a, b] = await pair(t);
    const attempts = Array.from({ length: 16 }, (_, i) => (i % 2 === 0 ? a : b).compareAndSet('bootstrap-spent/race', ABSENT, { exp: 1, agent: `a${i}` }));
    const results = await Promise.all(attempts);
    t.equal(results.filter((r) => r !== undefined).length, 1, 'one winner');
    const winner = results.findIndex((r) => r !== undefined);
    t.same((await a.get('bootstrap-spent/race'))?.value, { exp: 1, agent: `a${winner}` }, 'the winner’s value is stored');
    t.same((await b.get('bootstrap-spent/race'))?.value, { exp: 1, agent: `a${winner}` }, 'and both see it');
    // Many concurrent puts of different keys all land (no lost update between instances).
    await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).put(`revocations/jti/many-${i}`, { revokedAt: i })));
    t.equal((await a.list('revocations/jti/many-')).length, 20);
  });

  void t.test('watch: changes from another instance arrive within 2 s; unsubscribe stops them', async (t) => {
    const [a, b] = await pair(t);
    const seen: StoreChange[] = [];
    const waiters: Array<() => void> = [];
    const stop = a.watch('revocations/jti/', (change) => {
      seen.push(change);
      for (const w of waiters.splice(0)) w();
    });
    const next = async (match: (c: StoreChange) => boolean): Promise<StoreChange> => {
      const started = Date.now();
      for (;;) {
        const found = seen.find(match);
        if (found) return found;
        if (Date.now() - started > 2000) throw new Error('no change within 2 s');
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 50);
        });
      }
    };
    const started = Date.now();
    const version = await b.put('revocations/jti/w1', { revokedAt: 7 });
    const added = await next((c) => c.key === 'revocations/jti/w1' && c.value !== undefined);
    t.same(added, { key: 'revocations/jti/w1', value: { revokedAt: 7 }, version });
    t.ok(Date.now() - started < 2000, `seen after ${Date.now() - started} ms`);
    await b.put('agents/not-watched', { onboardedAt: 1 });
    await b.delete('revocations/jti/w1');
    const removed = await next((c) => c.key === 'revocations/jti/w1' && c.value === undefined);
    t.equal(removed.version, ABSENT, 'a deletion has version 0');
    t.notOk(seen.some((c) => c.key.startsWith('agents/')), 'only the watched prefix');
    await a.put('revocations/jti/own', { revokedAt: 8 });
    await next((c) => c.key === 'revocations/jti/own');
    t.pass('own writes are seen too');
    stop();
    const before = seen.length;
    await b.put('revocations/jti/after-stop', { revokedAt: 9 });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    t.equal(seen.length, before, 'nothing after unsubscribe');
  });

  void t.test('a closed store refuses calls', async (t) => {
    const store = await (await backing())();
    await store.close();
    await t.rejects(async () => store.get('contract/x'));
  });
}
