// Bad hardening limits in a controller config are reported like every config error:
// file:line:col, the key, the problem (issue 17).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { createCA } from '../../src/pki/index.js';
import { ferryOnce } from '../../testkit/processes.js';

const dir = await mkdtemp(join(tmpdir(), 'ferry-limits-'));
t.teardown(() => rm(dir, { recursive: true, force: true }));
const ca = await createCA();
await writeFile(join(dir, 'ca.crt'), ca.certPem);
await writeFile(join(dir, 'ca.key'), ca.keyPem, { mode: 0o600 });

void t.test('each bad key is named with its line and column', async (t) => {
  const file = join(dir, 'controller.yaml');
  await writeFile(
    file,
    'ca: { cert: ca.crt, key: ca.key }\nfrontDoor:\n  limits:\n    maxConnections: 0\n    idleTimeout: soon\n    headersTimeout: 0s\n    bogus: 1\nagents:\n  limits: { maxSessionsPerAgent: 2.5 }\n',
  );
  const r = await ferryOnce(['controller', '--config', file, '--check-config']);
  t.equal(r.code, 1);
  t.match(r.stderr, /controller\.yaml:4:21: frontDoor\.limits\.maxConnections: Too small/);
  t.match(r.stderr, /controller\.yaml:5:18: frontDoor\.limits\.idleTimeout: expected a duration/);
  t.match(r.stderr, /controller\.yaml:6:21: frontDoor\.limits\.headersTimeout: must be more than 0/);
  t.match(r.stderr, /controller\.yaml:7:5: frontDoor\.limits\.bogus: unknown key/);
  t.match(r.stderr, /controller\.yaml:9:34: agents\.limits\.maxSessionsPerAgent: expected int/);
});

void t.test('good limits pass --check-config', async (t) => {
  const file = join(dir, 'good.yaml');
  await writeFile(file, 'ca: { cert: ca.crt, key: ca.key }\nfrontDoor:\n  limits: { headersTimeout: 5s, idleTimeout: 2m, maxConnectionsPerAddress: 32 }\nagents:\n  limits: { maxSessionsPerAgent: 4, maxStreamsPerSession: 1000 }\n');
  const r = await ferryOnce(['controller', '--config', file, '--check-config']);
  t.equal(r.code, 0, r.stderr);
});
