// The committed types in src/gen must be what proto-loader-gen-types makes of the .proto.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import t from 'tap';
import { ROOT } from './helpers/processes.js';

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

void t.test('src/gen matches proto/ferry/tunnel/v1/tunnel.proto', (t) => {
  const out = mkdtempSync(join(tmpdir(), 'ferry-gen-'));
  t.teardown(() => rmSync(out, { recursive: true, force: true }));
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { gen: string } };
  // Same flags as `npm run gen`, other output folder.
  const args = pkg.scripts.gen.replace(/^proto-loader-gen-types /, '').replace('--outDir=src/gen', `--outDir=${out}`).split(' ');
  execFileSync(join(ROOT, 'node_modules', '.bin', 'proto-loader-gen-types'), args, { cwd: ROOT });
  const committed = listFiles(join(ROOT, 'src', 'gen'));
  t.same(listFiles(out), committed, 'same files');
  for (const f of committed) {
    t.equal(readFileSync(join(out, f), 'utf8'), readFileSync(join(ROOT, 'src', 'gen', f), 'utf8'), `${f} is current (run npm run gen)`);
  }
  t.end();
});
