// The committed files in src/gen must be what `npm run gen` makes of the .proto and
// package.json: proto-loader-gen-types' types, the JSON descriptor the code loads, the version.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import t from 'tap';
import { ROOT } from '../testkit/processes.js';

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

void t.test('src/gen matches proto/ferry/tunnel/v1/tunnel.proto', (t) => {
  const out = mkdtempSync(join(tmpdir(), 'ferry-gen-'));
  t.teardown(() => rmSync(out, { recursive: true, force: true }));
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  // Same commands as `npm run gen`, other output folder.
  const types = pkg.scripts['gen:types']!.replace(/^proto-loader-gen-types /, '').replace('--outDir=src/gen', `--outDir=${out}`).split(' ');
  execFileSync(join(ROOT, 'node_modules', '.bin', 'proto-loader-gen-types'), types, { cwd: ROOT });
  for (const script of ['gen:descriptor', 'gen:version']) {
    const args = pkg.scripts[script]!.replace(/^node /, '').replaceAll('src/gen/', `${out}/`).split(' ');
    execFileSync(process.execPath, args, { cwd: ROOT });
  }
  const committed = listFiles(join(ROOT, 'src', 'gen'));
  t.same(listFiles(out), committed, 'same files');
  for (const f of committed) {
    t.equal(readFileSync(join(out, f), 'utf8'), readFileSync(join(ROOT, 'src', 'gen', f), 'utf8'), `${f} is current (run npm run gen)`);
  }
  t.end();
});

void t.test('the generated version is package.json\'s', async (t) => {
  const { ferryVersion } = await import('../src/version.js');
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  t.equal(ferryVersion(), pkg.version);
});
