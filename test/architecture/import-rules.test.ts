// The import rules between src/ folders (.dependency-cruiser.cjs) hold for the code, and
// each rule really refuses what it names: a fixture tree breaks every rule once.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CONFIG = join(ROOT, '.dependency-cruiser.cjs');
const DEPCRUISE = join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');

function depcruise(cwd: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [DEPCRUISE, '--config', CONFIG, '--output-type', 'err', 'src'], { cwd }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, out: `${stdout}${stderr}` });
    });
  });
}

void t.test('src/ keeps the import rules', async (t) => {
  const { code, out } = await depcruise(ROOT);
  t.equal(code, 0, out);
});

// [rule, importing file, imported file]
const VIOLATIONS: [string, string, string][] = [
  ['controller-not-agent', 'controller/front.ts', 'agent/runner.ts'],
  ['agent-not-controller', 'agent/listener.ts', 'controller/proxy.ts'],
  ['core-knows-no-end', 'relay/serve.ts', 'agent/pool.ts'],
  ['core-knows-no-end', 'tunnel/frames.ts', 'controller/session.ts'],
  ['services-know-http', 'services/kube.ts', 'tunnel/stream.ts'],
  ['services-know-http', 'services/aws.ts', 'gen/types.ts'],
  ['libraries-stay-libraries', 'tokens/keys.ts', 'controller/state.ts'],
  ['libraries-stay-libraries', 'state/file.ts', 'cli/flags.ts'],
  ['libraries-stay-libraries', 'pki/ca.ts', 'agent/boot.ts'],
  ['nothing-imports-cli', 'observability/log.ts', 'cli/main.ts'],
  ['webhooks-are-a-library', 'webhooks/client.ts', 'controller/front-door/pipeline.ts'],
  ['registry-and-passwords-are-libraries', 'registry/token-server.ts', 'controller/front-door/server.ts'],
  ['registry-and-passwords-are-libraries', 'passwords/check.ts', 'agent/robot.ts'],
];

void t.test('each rule refuses a deliberate violation', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-import-rules-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext' } }));
  for (const [, from, to] of VIOLATIONS) {
    for (const file of [from, to]) await mkdir(dirname(join(dir, 'src', file)), { recursive: true });
    const target = `../${to.replace(/\.ts$/, '.js')}`;
    await writeFile(join(dir, 'src', from), `import { x } from '${target}';\nexport const y = x;\n`, { flag: 'a' });
    await writeFile(join(dir, 'src', to), 'export const x = 1;\n', { flag: 'a' });
  }
  const { code, out } = await depcruise(dir);
  t.not(code, 0, 'depcruise fails');
  for (const [rule, from, to] of VIOLATIONS) {
    t.match(out, `${rule}: src/${from} → src/${to}`, `${rule} catches src/${from} → src/${to}`);
  }
  // Nothing but the planted imports is reported (one import may break two rules: state → cli).
  const planted = new Set(VIOLATIONS.map(([, from, to]) => `src/${from} → src/${to}`));
  const reported = [...out.matchAll(/error [\w-]+: (src\/\S+ → src\/\S+)/g)].map((m) => m[1]!);
  t.ok(reported.length >= VIOLATIONS.length, `${reported.length} reported`);
  t.same(reported.filter((r) => !planted.has(r)), [], 'and nothing else');
});
