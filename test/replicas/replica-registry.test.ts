// The replica registry on a shared store (the file store, as workers on one machine use it):
// replicas see each other, a second live replica with the same id is refused, a stopped one
// leaves at once, a silent one (SIGKILL: no goodbye) leaves after the timeout.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { ReplicaRegistry } from '../../src/controller/replicas/replica-registry.js';
import { FileStore } from '../../src/state/index.js';
import { waitUntil } from '../../testkit/metrics.js';

const dir = await mkdtemp(join(tmpdir(), 'ferry-replicas-'));
t.teardown(() => rm(dir, { recursive: true, force: true }));
const log = () => undefined;
const open = () => FileStore.open({ dir, pollMs: 200 });

void t.test('two replicas see each other; the same id twice is refused; stop and silence both end membership', async (t) => {
  const [s1, s2, s3] = await Promise.all([open(), open(), open()]);
  t.teardown(async () => {
    await s1.close();
    await s2.close();
    await s3.close();
  });
  const options = { heartbeatMs: 200, timeoutMs: 1000, log };
  const a = await ReplicaRegistry.start({ store: s1, id: 'a', ...options });
  const b = await ReplicaRegistry.start({ store: s2, id: 'b', ...options });
  t.ok(await waitUntil(() => a.live().join() === 'a,b' && b.live().join() === 'a,b', 3000), `both see both: ${a.live().join()} / ${b.live().join()}`);

  await t.rejects(ReplicaRegistry.start({ store: s3, id: 'a', ...options }), { code: 'FERRY_ERR_EXISTS', message: /replica id "a" is already in use/ });

  const changes: string[][] = [];
  a.on('change', (live) => changes.push(live));
  await b.stop();
  t.ok(await waitUntil(() => a.live().join() === 'a', 2000), 'a stopped replica leaves at once');

  // A replica that dies without a word: its heartbeats stop, it expires after the timeout.
  await ReplicaRegistry.start({ store: s3, id: 'c', ...options });
  t.ok(await waitUntil(() => a.live().join() === 'a,c', 2000), 'c joins');
  const silencedAt = Date.now();
  // c's store goes away under it: its heartbeats stop and its record stays (what SIGKILL leaves).
  await s3.close();
  t.ok(await waitUntil(() => a.live().join() === 'a', 4000), `a silent replica expires (${Date.now() - silencedAt} ms)`);
  t.ok(changes.length >= 3, 'each change was announced');
  await a.stop();
});
