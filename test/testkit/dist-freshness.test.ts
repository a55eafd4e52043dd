// The kit refuses to start bin/ferry on a dist/ older than src/ (or proto/): such a test
// would pass or fail on code that is no longer there.
import { utimesSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { assertDistFresh, distStaleness, newestMtime } from '../../testkit/dist-freshness.js';

const T0 = new Date('2026-01-01T00:00:00Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

function tree(t: Test, times: Record<string, number>): string {
  const files: Record<string, unknown> = {};
  for (const path of Object.keys(times)) {
    let node = files;
    const parts = path.split('/');
    for (const dir of parts.slice(0, -1)) node = (node[dir] ??= {}) as Record<string, unknown>;
    node[parts.at(-1)!] = 'x';
  }
  const root = t.testdir(files as Parameters<typeof t.testdir>[0]);
  for (const [path, minutes] of Object.entries(times)) utimesSync(join(root, path), at(minutes), at(minutes));
  return root;
}

void t.test('newestMtime looks at every file below a folder', (t) => {
  const root = tree(t, { 'a/b/c.ts': 5, 'a/d.ts': 2 });
  t.equal(newestMtime(join(root, 'a')), at(5).getTime());
  t.equal(newestMtime(join(root, 'missing')), 0, 'a missing folder has no files');
  t.end();
});

void t.test('dist built after the last source edit is fresh', (t) => {
  const root = tree(t, { 'src/a.ts': 1, 'src/deep/b.ts': 2, 'proto/x.proto': 1, 'dist/src/a.js': 3, 'dist/src/deep/b.js': 3 });
  t.equal(distStaleness(root), undefined);
  t.doesNotThrow(() => assertDistFresh(root));
  t.end();
});

void t.test('a source file edited after the build makes dist stale, loudly', (t) => {
  const root = tree(t, { 'src/a.ts': 1, 'src/deep/b.ts': 9, 'dist/src/a.js': 3, 'dist/src/deep/b.js': 3 });
  t.match(distStaleness(root), /^dist\/ is older than src\/: run npm run build/);
  t.throws(() => assertDistFresh(root), /dist\/ is older than src\/: run npm run build/);
  t.end();
});

void t.test('so does an edited .proto', (t) => {
  const root = tree(t, { 'src/a.ts': 1, 'proto/x.proto': 9, 'dist/src/a.js': 3 });
  t.match(distStaleness(root), /dist\/ is older than src\//);
  t.end();
});

void t.test('no dist at all is refused too', (t) => {
  const root = tree(t, { 'src/a.ts': 1 });
  t.match(distStaleness(root), /there is no .*dist\/src: run npm run build/);
  t.end();
});
