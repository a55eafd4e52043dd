// `ferry controller --log-file FILE`: JSON lines go to the file, and after logrotate moves
// it away SIGUSR2 makes the controller write to a new file at the same path.
import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { stringify } from 'yaml';
import { createCA } from '../../src/pki/index.js';
import { runFerry } from '../../testkit/processes.js';

async function fileSays(file: string, text: string, ms = 15_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const content = await readFile(file, 'utf8').catch(() => '');
    if (content.includes(text)) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

void t.test('SIGUSR2 reopens the log file after it was moved', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-logfile-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const ca = await createCA();
  await writeFile(join(dir, 'ca.crt'), ca.certPem);
  await writeFile(join(dir, 'ca.key'), ca.keyPem, { mode: 0o600 });
  const listen = '127.0.0.1:0';
  await writeFile(join(dir, 'controller.yaml'), stringify({ ca: { cert: 'ca.crt', key: 'ca.key' }, agents: { listen }, frontDoor: { listen }, control: { listen }, metrics: { listen } }));
  const log = join(dir, 'logs', 'controller.log');
  const controller = runFerry(['controller', '--config', join(dir, 'controller.yaml'), '--log-file', log]);
  t.teardown(() => controller.stop('SIGKILL'));
  t.ok(await fileSays(log, '"msg":"controller started"'), 'lines go to the file (its folder made)');
  t.notOk(controller.raw.some((l) => l.includes('controller started')), 'not to stderr');
  await rename(log, `${log}.1`);
  controller.child.kill('SIGUSR2');
  await new Promise((resolve) => setTimeout(resolve, 200));
  t.equal(await controller.stop('SIGTERM'), 0, 'a clean stop');
  t.match(await readFile(log, 'utf8'), /"msg":"controller stopped"/, 'later lines go to the new file');
  t.notMatch(await readFile(`${log}.1`, 'utf8'), /"msg":"controller stopped"/, 'none to the moved one');
});
