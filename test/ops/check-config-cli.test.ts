// `ferry controller|agent --check-config` on real files: a bad config is reported one line
// per problem with file:line:column and key, exit code 1; a good one prints "ok"; --help
// documents the environment overrides.
import t from 'tap';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createCA } from '../../src/pki/index.js';
import { CONTROLLER_ENV } from '../../src/config/controller-config.js';
import { AGENT_ENV } from '../../src/config/agent-config.js';
import { ferryOnce } from '../../testkit/processes.js';

const dir = t.testdir({});
const ca = await createCA();
await writeFile(join(dir, 'ca.crt'), ca.certPem);
await writeFile(join(dir, 'ca.key'), ca.keyPem, { mode: 0o600 });
const agentCert = await ca.issueClient({ kind: 'agent', agent: 'checked' });
await writeFile(join(dir, 'agent.crt'), agentCert.certPem);
await writeFile(join(dir, 'agent.key'), agentCert.keyPem, { mode: 0o600 });

/** stderr lines, without the trailing empty one. */
const linesOf = (text: string) => text.split('\n').filter((l) => l !== '');

void t.test('a bad controller config: one line per problem, each with file:line:column and key', async (t) => {
  const file = join(dir, 'bad-controller.yaml');
  await writeFile(
    file,
    ['ca:', '  cert: ca.crt', '  kye: ca.key', 'agents:', '  listen: "nowhere:99999"', 'shutdown: { grace: forever }', 'frontDor: {}', ''].join('\n'),
  );
  const run = await ferryOnce(['controller', '--check-config', '--config', file]);
  t.equal(run.code, 1, 'exit code 1');
  t.equal(run.stdout, '', 'nothing on stdout');
  t.same(linesOf(run.stderr), [
    `ferry: ${file}:2:3: ca.key: missing required key`,
    `ferry: ${file}:3:3: ca.kye: unknown key`,
    `ferry: ${file}:5:11: agents.listen: expected a listen address such as ":9002", "127.0.0.1:9002", "[::1]:9002" or a port (got "nowhere:99999")`,
    `ferry: ${file}:6:20: shutdown.grace: expected a duration such as "30s", "5m", "24h", "7d" or a number of seconds (got "forever")`,
    `ferry: ${file}:7:1: frontDor: unknown key`,
  ]);
});

void t.test('YAML syntax errors and bad environment overrides say where they are', async (t) => {
  const file = join(dir, 'broken.yaml');
  await writeFile(file, 'ca:\n  cert: ca.crt\n  key: [ca.key\n');
  const broken = await ferryOnce(['controller', '--check-config', '-c', file]);
  t.equal(broken.code, 1);
  const [line, ...rest] = linesOf(broken.stderr);
  t.match(line, new RegExp(`^ferry: ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:\\d+:\\d+: .*YAML syntax error`), 'syntax error with position');
  t.same(rest, [], 'one problem, one line');

  const good = join(dir, 'controller.yaml');
  await writeFile(good, 'ca: { cert: ca.crt, key: ca.key }\n');
  const env = await ferryOnce(['controller', '--check-config', '-c', good], { env: { FERRY_METRICS_LISTEN: 'not-an-address' } });
  t.equal(env.code, 1);
  t.match(linesOf(env.stderr), [/^ferry: env FERRY_METRICS_LISTEN: metrics\.listen: expected a listen address/]);
});

void t.test('good configs pass, and the check loads the CA and the agent certificate', async (t) => {
  const controller = join(dir, 'controller-ok.yaml');
  await writeFile(controller, 'ca: { cert: ca.crt, key: ca.key }\nmetrics: { listen: "127.0.0.1:0" }\n');
  const ok = await ferryOnce(['controller', '--check-config', '-c', controller]);
  t.equal(ok.code, 0, ok.stderr);
  t.equal(ok.stdout, `${controller}: ok\n`);

  const agent = join(dir, 'agent-ok.yaml');
  await writeFile(agent, 'controller: { address: "127.0.0.1:9001" }\ntls: { cert: agent.crt, key: agent.key, ca: ca.crt }\n');
  const agentOk = await ferryOnce(['agent', '--check-config', '-c', agent]);
  t.equal(agentOk.code, 0, agentOk.stderr);

  const missing = join(dir, 'agent-missing.yaml');
  await writeFile(missing, 'controller: { address: "127.0.0.1:9001" }\ntls: { cert: nope.crt, key: agent.key, ca: ca.crt }\n');
  const agentBad = await ferryOnce(['agent', '--check-config', '-c', missing]);
  t.equal(agentBad.code, 1);
  t.match(linesOf(agentBad.stderr), [/^ferry: cannot read the agent certificate .*nope\.crt/]);

  const noKey = join(dir, 'controller-nokey.yaml');
  await writeFile(noKey, 'ca: { cert: ca.crt, key: agent.key }\n');
  const mismatch = await ferryOnce(['controller', '--check-config', '-c', noKey]);
  t.equal(mismatch.code, 1, 'a CA key that does not match the CA certificate fails the check');
  t.equal(linesOf(mismatch.stderr).length, 1, mismatch.stderr);
});

void t.test('bad agent config lists each problem', async (t) => {
  const file = join(dir, 'bad-agent.yaml');
  await writeFile(file, ['controller: {}', 'tls: { cert: agent.crt, key: agent.key, ca: ca.crt }', 'streams: { minIdle: 0 }', ''].join('\n'));
  const run = await ferryOnce(['agent', '--check-config', '-c', file]);
  t.equal(run.code, 1);
  const lines = linesOf(run.stderr);
  t.equal(lines.length, 2, run.stderr);
  t.match(lines[0], new RegExp(`^ferry: .*bad-agent\\.yaml:1:\\d+: controller\\.address: `));
  t.match(lines[1], new RegExp(`^ferry: .*bad-agent\\.yaml:3:\\d+: streams\\.minIdle: `));
});

void t.test('--help documents the environment overrides of both programs', async (t) => {
  for (const [command, map] of [['controller', CONTROLLER_ENV], ['agent', AGENT_ENV]] as const) {
    const help = await ferryOnce([command, '--help']);
    t.equal(help.code, 0);
    t.match(help.stdout, /--check-config/);
    for (const [name, key] of Object.entries(map)) {
      t.match(help.stdout, new RegExp(`FERRY_${name}\\s+${key.replace('.', '\\.')}\\n`), `${command} --help names FERRY_${name}`);
    }
  }
});
