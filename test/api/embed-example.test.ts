// examples/embed: a controller and an agent in one process through the public API only,
// carrying one request. Run as users run it, from the repository and from an installed
// copy of the package (npm pack: no src/, no proto/, no project root to find).
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { assertDistFresh } from '../../testkit/dist-freshness.js';
import { exec, type ExecResult } from '../../testkit/exec.js';
import { ROOT } from '../../testkit/processes.js';

const EXAMPLE = join('examples', 'embed', 'embed.mjs');

function runExample(cwd: string): Promise<ExecResult> {
  return exec(process.execPath, [join(cwd, EXAMPLE)], { cwd, timeoutMs: 60_000 });
}

function checkRun(t: Test, run: ExecResult): void {
  t.equal(run.code, 0, `exit code 0 (stderr: ${run.stderr.slice(-500)})`);
  t.match(run.stdout, /^agent "embedded" connected to the controller$/m);
  t.match(run.stdout, /^status 200: hello from the embedded upstream \(path \/greeting\)$/m, 'the answer came through the tunnel');
  t.match(run.stdout, /stopped\n$/, 'both ends stopped and the process exited');
}

t.before(() => assertDistFresh(ROOT));

void t.test('the example runs from the repository', async (t) => {
  checkRun(t, await runExample(ROOT));
});

void t.test('the example runs against an installed copy of the package', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-installed-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const pack = await exec('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', dir], { cwd: ROOT, timeoutMs: 60_000 });
  t.equal(pack.code, 0, `npm pack (stderr: ${pack.stderr.slice(-500)})`);
  const tarball = join(dir, pack.stdout.trim().split('\n').pop()!);
  const untar = await exec('tar', ['xzf', tarball, '-C', dir]);
  t.equal(untar.code, 0);
  const installed = join(dir, 'package');
  t.ok(existsSync(join(installed, 'dist', 'src', 'index.js')), 'the package holds dist/src/index.js');
  t.ok(existsSync(join(installed, 'dist', 'src', 'index.d.ts')), 'and its declarations');
  t.notOk(existsSync(join(installed, 'src')), 'but no sources');
  // The code must not need the .proto file (or any file found through the project root).
  rmSync(join(installed, 'proto'), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(installed, 'node_modules'));
  mkdirSync(join(installed, 'examples', 'embed'), { recursive: true });
  copyFileSync(join(ROOT, EXAMPLE), join(installed, EXAMPLE));
  checkRun(t, await runExample(installed));
});
