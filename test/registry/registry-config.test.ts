// A bad `registry:` section names the file, line and key; a good one loads with defaults.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { loadControllerConfig } from '../../src/api/controller.js';

const dir = await mkdtemp(join(tmpdir(), 'ferry-registry-config-'));
t.teardown(() => rm(dir, { recursive: true, force: true }));

async function load(registry: string): Promise<unknown> {
  const file = join(dir, 'controller.yaml');
  await writeFile(file, `ca:\n  cert: ca.crt\n  key: ca.key\nregistry:\n${registry}`);
  return loadControllerConfig(file, {});
}

async function problem(registry: string): Promise<string> {
  try {
    await load(registry);
    return 'loaded';
  } catch (err) {
    return (err as Error).message;
  }
}

void t.test('defaults and resolved paths', async (t) => {
  const cfg = (await load('  services: [reg]\n  authenticators:\n    - kind: htpasswd\n      file: users.htpasswd\n')) as { registry: { path: string; tokenTtl: number; authenticators: { file: string }[] } };
  t.equal(cfg.registry.path, '/registry/auth');
  t.equal(cfg.registry.tokenTtl, 300);
  t.equal(cfg.registry.authenticators[0]!.file, join(dir, 'users.htpasswd'));
});

void t.test('bad entries name file, line and key', async (t) => {
  t.match(await problem('  services: []\n'), /controller\.yaml:5:\d+: registry\.services/);
  t.match(await problem('  services: [r]\n  tokenTtl: 10s\n'), /controller\.yaml:6:\d+: registry\.tokenTtl: at least 60s/);
  t.match(await problem('  services: [r]\n  acl:\n    - match: {name: "/([/"}\n      actions: []\n'), /controller\.yaml:7:\d+: registry\.acl\[0\]\.match\.name: bad regular expression/);
  t.match(await problem('  services: [r]\n  acl:\n    - match: {ip: "10.0.0.0/99"}\n      actions: ["*"]\n'), /registry\.acl\[0\]\.match\.ip: expected an IP address or a CIDR block/);
  const hashProblem = await problem('  services: [r]\n  authenticators:\n    - kind: static\n      users:\n        bob: {password: plain-text-secret}\n');
  t.match(hashProblem, /registry\.authenticators\[0\]\.users\.bob\.password: expected a bcrypt hash/);
  t.notMatch(hashProblem, /plain-text-secret/, 'the value is not echoed');
  t.match(await problem('  services: [r]\n  authenticators:\n    - kind: kerberos\n'), /registry\.authenticators\[0\]\.kind/);
});
