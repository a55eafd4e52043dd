// Every launcher starts node with the heap flag (README design notes: without it a busy
// tunnel spends ~40% of its CPU in full GCs); a process started without it says so.
import t, { type Test } from 'tap';
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HEAP_FLAG, MALLOC_ENV } from '../../src/cli/heap-flag.js';
import { createCA } from '../../src/pki/index.js';
import { FERRY, ROOT } from '../../testkit/processes.js';

void t.test('bin/ferry, npm start, the Dockerfile, the local examples and the bench pass the flag and the malloc settings', async (t) => {
  const words = Object.entries(MALLOC_ENV).map(([k, v]) => `${k}=${v}`).join(' ');
  const shebang = (await readFile(FERRY, 'utf8')).split('\n')[0];
  t.equal(shebang, `#!/usr/bin/env -S ${words} node ${HEAP_FLAG}`, 'bin/ferry shebang');
  const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  t.match(pkg.scripts['start'], `${words} node ${HEAP_FLAG} bin/ferry`, 'npm start');
  const dockerfile = await readFile(join(ROOT, 'Dockerfile'), 'utf8');
  t.match(dockerfile, `ENTRYPOINT ["node", "${HEAP_FLAG}", "/app/bin/ferry"]`, 'Dockerfile');
  t.match(dockerfile, `ENV ${words}\n`, 'Dockerfile malloc settings');
  t.match(await readFile(join(ROOT, 'examples/local/env.sh'), 'utf8'), `FERRY=(env ${words} node ${HEAP_FLAG} `, 'examples/local');
  t.match(await readFile(join(ROOT, 'bench/peers/ferry.ts'), 'utf8'), `'${HEAP_FLAG}'`, 'bench');
  t.match(await readFile(join(ROOT, 'testkit/processes.ts'), 'utf8'), '...MALLOC_ENV, ...process.env', 'tests and bench (testkit)');
});

/** An agent config whose controller is unreachable (the agent just retries); its file. */
async function agentConfig(t: Test): Promise<string> {
  const dir = t.testdir({});
  const ca = await createCA();
  const cert = await ca.issueClient({ kind: 'agent', agent: 'flagged' });
  await writeFile(join(dir, 'ca.crt'), ca.certPem);
  await writeFile(join(dir, 'agent.crt'), cert.certPem);
  await writeFile(join(dir, 'agent.key'), cert.keyPem, { mode: 0o600 });
  await writeFile(join(dir, 'agent.yaml'), 'controller: { address: "127.0.0.1:1" }\ntls: { cert: agent.crt, key: agent.key, ca: ca.crt }\n');
  return join(dir, 'agent.yaml');
}

void t.test('bin/ferry run as a program gets the malloc settings from its shebang', async (t) => {
  // `ferry version` prints nothing of its environment; /proc of a running agent does.
  const config = await agentConfig(t);
  const env = { ...process.env };
  for (const k of Object.keys(MALLOC_ENV)) delete env[k];
  const child = spawn(FERRY, ['agent', '--config', config], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
  t.teardown(() => child.kill('SIGKILL'));
  await new Promise<void>((resolve) => child.stderr.on('data', (d: Buffer) => d.toString().includes('agent started') && resolve()));
  const environ = (await readFile(`/proc/${child.pid}/environ`, 'utf8')).split('\0');
  for (const [k, v] of Object.entries(MALLOC_ENV)) t.ok(environ.includes(`${k}=${v}`), `${k}=${v}`);
});

/** Starts an agent (its controller is unreachable, so it just retries); its stderr up to "agent started". */
async function agentStderr(t: Test, command: string, args: string[]): Promise<string> {
  const config = await agentConfig(t);
  const child = spawn(command, [...args, 'agent', '--config', config], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(() => void child.kill('SIGKILL')); // also when the test fails or times out
  let stderr = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (stderr.includes('"msg":"agent started"')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`agent exited (${code}) before it started: ${stderr}`)));
  });
  return stderr;
}

void t.test('bin/ferry run directly (its shebang) carries the flag: no note', async (t) => {
  const stderr = await agentStderr(t, FERRY, []);
  t.match(stderr, '"msg":"agent started"');
  t.notMatch(stderr, 'node was started without');
});

void t.test('node bin/ferry without the flag: a note on stderr names it', async (t) => {
  t.match(await agentStderr(t, process.execPath, [FERRY]), `node was started without ${HEAP_FLAG}`);
});
