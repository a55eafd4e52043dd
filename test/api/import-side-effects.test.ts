// Importing the public API must change no global state and leave nothing running: an
// embedding application keeps its globals (Reflect, @peculiar/x509's crypto provider) and
// exits when it is done. Each check runs in a fresh node process on the built dist/.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import t from 'tap';
import { assertDistFresh } from '../../testkit/dist-freshness.js';
import { ROOT } from '../../testkit/processes.js';

const INDEX = pathToFileURL(join(ROOT, 'dist', 'src', 'index.js')).href;

// Globals that dependencies create on their own import, not ferry: zod 4's global config and
// registry, and undici's global dispatcher (undici installs one when none is set; it is
// imported by the agent's upstream calls). Anything else is a new global ferry made.
const DEPENDENCY_GLOBALS = new Set(['__zod_globalConfig', '__zod_globalRegistry', 'Symbol(undici.globalDispatcher.1)', 'Symbol(undici.globalDispatcher.2)']);

/** The resource kinds (timers, sockets, servers) in `after` beyond those in `before`. */
function newResources(before: string[], after: string[]): string[] {
  const left = [...before];
  return after.filter((r) => {
    const i = left.indexOf(r);
    if (i < 0) return true;
    left.splice(i, 1);
    return false;
  });
}

/** Runs an ES module snippet in a fresh node; resolves with its exit code and its last stdout line as JSON. */
function runSnippet(code: string, timeoutMs = 20_000): Promise<{ code: number | null; killed: boolean; result: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', code], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', reject);
    child.on('exit', (exit) => {
      clearTimeout(timer);
      const last = stdout.trim().split('\n').pop() ?? '';
      try {
        resolve({ code: exit, killed, result: JSON.parse(last) as Record<string, unknown> });
      } catch {
        reject(new Error(`no result from the snippet (exit ${exit}); stderr:\n${stderr}`));
      }
    });
  });
}

t.before(() => assertDistFresh(ROOT));

void t.test('import changes no globals and leaves no handles or timers', async (t) => {
  const { code, killed, result } = await runSnippet(`
    const names = () => [...Object.getOwnPropertyNames(globalThis), ...Object.getOwnPropertySymbols(globalThis).map(String)];
    const globalsBefore = new Set(names());
    const reflectBefore = new Set(Object.getOwnPropertyNames(Reflect));
    const resourcesBefore = process.getActiveResourcesInfo();
    const api = await import(${JSON.stringify(INDEX)});
    console.log(JSON.stringify({
      exports: Object.keys(api).length,
      hasStart: typeof api.startController === 'function' && typeof api.startAgent === 'function',
      getMetadata: typeof Reflect.getMetadata,
      reflectAdded: Object.getOwnPropertyNames(Reflect).filter((k) => !reflectBefore.has(k)),
      globalsAdded: names().filter((k) => !globalsBefore.has(k)),
      resourcesBefore,
      resourcesAfter: process.getActiveResourcesInfo(),
    }));
  `);
  t.equal(killed, false, 'the process exits by itself once the script is done');
  t.equal(code, 0);
  t.equal(result['hasStart'], true, 'startController and startAgent are exported');
  t.equal(result['getMetadata'], 'undefined', 'reflect-metadata is not loaded');
  t.same(result['reflectAdded'], [], 'Reflect is unchanged');
  t.same((result['globalsAdded'] as string[]).filter((g) => !DEPENDENCY_GLOBALS.has(g)), [], 'no new globals of ferry');
  t.same(newResources(result['resourcesBefore'] as string[], result['resourcesAfter'] as string[]), [], 'no sockets, servers or timers were started');
});

void t.test("the x509 crypto provider is set on the first certificate, not at import", async (t) => {
  const { code, result } = await runSnippet(`
    import 'reflect-metadata';
    import * as x509 from '@peculiar/x509';
    import { webcrypto } from 'node:crypto';
    const mine = { name: 'the application provider' };
    x509.cryptoProvider.set(mine);
    const api = await import(${JSON.stringify(INDEX)});
    const afterImport = x509.cryptoProvider.get() === mine;
    const ca = await api.createCA({ trustDomain: 'example.test' });
    console.log(JSON.stringify({ afterImport, afterFirstUse: x509.cryptoProvider.get() === webcrypto, trustDomain: ca.trustDomain }));
  `);
  t.equal(code, 0);
  t.equal(result['afterImport'], true, 'importing ferry kept the application provider');
  t.equal(result['afterFirstUse'], true, 'making a CA set the WebCrypto provider');
  t.equal(result['trustDomain'], 'example.test');
});
