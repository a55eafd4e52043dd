// Every launcher starts node with the heap flag (README design notes: without it a busy
// tunnel spends ~40% of its CPU in full GCs); a process started without it says so.
import t, { type Test } from 'tap';
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HEAP_FLAG } from '../../src/cli/heap-flag.js';
import { createCA } from '../../src/pki/index.js';
import { FERRY, ROOT } from '../../testkit/processes.js';

void t.test('bin/ferry, npm start, the Dockerfile, the local examples and the bench pass the flag', async (t) => {
  const shebang = (await readFile(FERRY, 'utf8')).split('\n')[0];
  t.equal(shebang, `#!/usr/bin/env -S node ${HEAP_FLAG}`, 'bin/ferry shebang');
  const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  t.match(pkg.scripts['start'], `node ${HEAP_FLAG} bin/ferry`, 'npm start');
  t.match(await readFile(join(ROOT, 'Dockerfile'), 'utf8'), `ENTRYPOINT ["node", "${HEAP_FLAG}", "/app/bin/ferry"]`, 'Dockerfile');
  t.match(await readFile(join(ROOT, 'examples/local/env.sh'), 'utf8'), `FERRY=(node ${HEAP_FLAG} `, 'examples/local');
  t.match(await readFile(join(ROOT, 'bench/peers/ferry.ts'), 'utf8'), `'${HEAP_FLAG}'`, 'bench');
});

/** Starts an agent (its controller is unreachable, so it just retries); its stderr up to "agent started". */
async function agentStderr(t: Test, command: string, args: string[]): Promise<string> {
  const dir = t.testdir({});
  const ca = await createCA();
  const cert = await ca.issueClient({ kind: 'agent', agent: 'flagged' });
  await writeFile(join(dir, 'ca.crt'), ca.certPem);
  await writeFile(join(dir, 'agent.crt'), cert.certPem);
  await writeFile(join(dir, 'agent.key'), cert.keyPem, { mode: 0o600 });
  await writeFile(join(dir, 'agent.yaml'), 'controller: { address: "127.0.0.1:1" }\ntls: { cert: agent.crt, key: agent.key, ca: ca.crt }\n');
  const child = spawn(command, [...args, 'agent', '--config', join(dir, 'agent.yaml')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
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
