// Config errors must name file:line:col and the key, for files on disk and env overrides.
import t from 'tap';
import { join } from 'node:path';
import { chmod } from 'node:fs/promises';
import { z } from 'zod';
import { FerryError } from '../../src/errors.js';
import { ConfigError } from '../../src/config/config-error.js';
import { loadConfigFile } from '../../src/config/load-yaml.js';
import { durationSchema } from '../../src/config/duration.js';
import { listenSchema } from '../../src/config/listen.js';

const schema = z.strictObject({
  frontDoor: z.strictObject({
    listen: listenSchema,
    idleTimeout: durationSchema.default(60),
    maxHeaderBytes: z.number().int().positive().optional(),
  }),
  tokens: z.strictObject({ signingKeyFile: z.string(), adminToken: z.string().min(20).optional() }).optional(),
  agents: z.array(z.strictObject({ name: z.string(), mode: z.enum(['pool', 'single']).default('pool') })).default([]),
});

const envMap = {
  FRONTDOOR_LISTEN: 'frontDoor.listen',
  FRONTDOOR_MAX_HEADER_BYTES: 'frontDoor.maxHeaderBytes',
  ADMIN_TOKEN: 'tokens.adminToken',
};

async function errorOf(promise: Promise<unknown>): Promise<ConfigError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a config error');
}

void t.test('a good file loads, with defaults and transforms applied', async (t) => {
  const dir = t.testdir({ 'ferry.yaml': 'frontDoor:\n  listen: "127.0.0.1:9002"\n  idleTimeout: 5m\nagents:\n  - name: a\n' });
  const config = await loadConfigFile(join(dir, 'ferry.yaml'), schema);
  t.same(config, {
    frontDoor: { listen: { host: '127.0.0.1', port: 9002 }, idleTimeout: 300 },
    agents: [{ name: 'a', mode: 'pool' }],
  });
});

void t.test('YAML syntax error names line and column', async (t) => {
  const dir = t.testdir({ 'bad.yaml': 'frontDoor:\n  listen: ":9002"\n  idleTimeout: [30s\nagents: []\n' });
  const file = join(dir, 'bad.yaml');
  const err = await errorOf(loadConfigFile(file, schema));
  t.ok(err instanceof FerryError);
  t.equal(err.code, 'FERRY_ERR_BAD_CONFIG');
  t.match(err.message, new RegExp(`^${escape(file)}:\\d+:\\d+: .*YAML syntax error: `));
  t.equal(err.problems[0]!.file, file);
});

void t.test('duplicate key is a syntax error at the second occurrence', async (t) => {
  const dir = t.testdir({ 'dup.yaml': 'frontDoor:\n  listen: ":1"\n  listen: ":2"\n' });
  const file = join(dir, 'dup.yaml');
  const err = await errorOf(loadConfigFile(file, schema));
  t.equal(err.message, `${file}:3:3: frontDoor.listen: YAML syntax error: Map keys must be unique`);
});

void t.test('unknown key points at the key itself', async (t) => {
  const dir = t.testdir({ 'c.yaml': 'frontDoor:\n  listen: ":9002"\n  listne: ":9003"\n' });
  const file = join(dir, 'c.yaml');
  const err = await errorOf(loadConfigFile(file, schema));
  t.equal(err.message, `${file}:3:3: frontDoor.listne: unknown key`);
});

void t.test('wrong type points at the value and says what it got', async (t) => {
  const dir = t.testdir({ 'c.yaml': 'frontDoor:\n  listen: ":9002"\n  maxHeaderBytes: lots\n' });
  const file = join(dir, 'c.yaml');
  const err = await errorOf(loadConfigFile(file, schema));
  t.equal(err.message, `${file}:3:19: frontDoor.maxHeaderBytes: expected number, got string "lots"`);
});

void t.test('missing key points at the parent mapping', async (t) => {
  const dir = t.testdir({ 'c.yaml': '# ferry\nfrontDoor:\n    idleTimeout: 30s\n' });
  const file = join(dir, 'c.yaml');
  const err = await errorOf(loadConfigFile(file, schema));
  t.equal(err.message, `${file}:3:5: frontDoor.listen: missing required key`);
  const empty = t.testdir({ 'e.yaml': '' });
  const err2 = await errorOf(loadConfigFile(join(empty, 'e.yaml'), schema));
  t.equal(err2.message, `${join(empty, 'e.yaml')}:1:1: frontDoor: missing required key`);
});

void t.test('all problems are listed one per line, in file order', async (t) => {
  const dir = t.testdir({
    'c.yaml': [
      'agents:',
      '  - name: a',
      '    mode: many',
      '  - mode: pool',
      'frontDoor:',
      '  listen: "host:99999"',
      '  idleTimeout: soon',
      'extra: true',
      '',
    ].join('\n'),
  });
  const file = join(dir, 'c.yaml');
  const err = await errorOf(loadConfigFile(file, schema));
  t.same(err.message.split('\n'), [
    `${file}:3:11: agents[0].mode: expected one of "pool", "single" (got "many")`,
    `${file}:4:5: agents[1].name: missing required key`,
    `${file}:6:11: frontDoor.listen: expected a listen address such as ":9002", "127.0.0.1:9002", "[::1]:9002" or a port (got "host:99999")`,
    `${file}:7:16: frontDoor.idleTimeout: expected a duration such as "30s", "5m", "24h", "7d" or a number of seconds (got "soon")`,
    `${file}:8:1: extra: unknown key`,
  ]);
  t.equal(err.problems.length, 5);
  t.same(err.problems[1], { file, line: 4, column: 5, key: 'agents[1].name', problem: 'missing required key' });
});

void t.test('unreadable file', async (t) => {
  const dir = t.testdir({ 'locked.yaml': 'frontDoor: {}\n' });
  const missing = join(dir, 'nope.yaml');
  const err = await errorOf(loadConfigFile(missing, schema));
  t.equal(err.code, 'FERRY_ERR_BAD_CONFIG');
  t.equal(err.message, `${missing}: cannot read config file: file not found`);
  const dirErr = await errorOf(loadConfigFile(dir, schema));
  t.equal(dirErr.message, `${dir}: cannot read config file: is a directory, not a file`);
  if (process.getuid?.() !== 0) {
    await chmod(join(dir, 'locked.yaml'), 0o000);
    const denied = await errorOf(loadConfigFile(join(dir, 'locked.yaml'), schema));
    t.equal(denied.message, `${join(dir, 'locked.yaml')}: cannot read config file: permission denied`);
  }
});

void t.test('environment overrides documented keys', async (t) => {
  const dir = t.testdir({ 'c.yaml': 'frontDoor:\n  listen: ":9002"\n' });
  const file = join(dir, 'c.yaml');
  const env = { FERRY_FRONTDOOR_LISTEN: '[::1]:9443', FERRY_FRONTDOOR_MAX_HEADER_BYTES: '16384', FERRY_UNMAPPED: 'x' };
  const config = await loadConfigFile(file, schema, { env, envPrefix: 'FERRY_', envMap });
  t.same(config.frontDoor, { listen: { host: '::1', port: 9443 }, idleTimeout: 60, maxHeaderBytes: 16384 });
  // An override can supply a key the file leaves out, and an empty variable counts as unset.
  const bare = t.testdir({ 'c.yaml': 'agents: []\n' });
  const config2 = await loadConfigFile(join(bare, 'c.yaml'), schema, {
    env: { FERRY_FRONTDOOR_LISTEN: '8080', FERRY_FRONTDOOR_MAX_HEADER_BYTES: '' },
    envPrefix: 'FERRY_',
    envMap,
  });
  t.same(config2.frontDoor, { listen: { host: '0.0.0.0', port: 8080 }, idleTimeout: 60 });
});

void t.test('a bad environment value names the variable, not file:line', async (t) => {
  const dir = t.testdir({ 'c.yaml': 'frontDoor:\n  listen: ":9002"\n  maxHeaderBytes: seven\n' });
  const file = join(dir, 'c.yaml');
  const env = { FERRY_FRONTDOOR_LISTEN: 'nowhere', FERRY_FRONTDOOR_MAX_HEADER_BYTES: '-5' };
  const err = await errorOf(loadConfigFile(file, schema, { env, envPrefix: 'FERRY_', envMap }));
  const lines = err.message.split('\n');
  t.equal(lines.length, 2);
  t.match(lines[0], /^env FERRY_FRONTDOOR_LISTEN: frontDoor\.listen: expected a listen address .* \(got "nowhere"\)$/);
  t.match(lines[1], /^env FERRY_FRONTDOOR_MAX_HEADER_BYTES: frontDoor\.maxHeaderBytes: Too small/);
  t.same(err.problems[0]!.env, 'FERRY_FRONTDOOR_LISTEN');
  t.equal(err.problems[0]!.line, undefined);
});

void t.test('an override under a key the file sets to a scalar is reported against the variable', async (t) => {
  const dir = t.testdir({ 'c.yaml': 'frontDoor: 9002\n' });
  const file = join(dir, 'c.yaml');
  const err = await errorOf(loadConfigFile(file, schema, { env: { FERRY_FRONTDOOR_LISTEN: ':1' }, envPrefix: 'FERRY_', envMap }));
  t.same(err.message.split('\n'), [
    `${file}:1:12: frontDoor: expected mapping, got number 9002`,
    'env FERRY_FRONTDOOR_LISTEN: frontDoor.listen: cannot set: frontDoor in the config file is not a mapping',
  ]);
});

void t.test('an alias bomb is refused, not expanded', async (t) => {
  const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
  for (let i = 1; i < 9; i++) lines.push(`${'b'.repeat(i)}: &${'b'.repeat(i)} [${Array(9).fill(i === 1 ? '*a' : `*${'b'.repeat(i - 1)}`).join(',')}]`);
  const dir = t.testdir({ 'bomb.yaml': `${lines.join('\n')}\n` });
  const file = join(dir, 'bomb.yaml');
  const err = await errorOf(loadConfigFile(file, schema));
  t.match(err.message, new RegExp(`^${escape(file)}:1:1: YAML: Excessive alias count`));
});

void t.test('secret values never appear in errors', async (t) => {
  const secret = 'sUp3r-s3cr3t-t0ken-value';
  const dir = t.testdir({ 'c.yaml': `frontDoor:\n  listen: ":1"\ntokens:\n  signingKeyFile: 42\n  adminToken: [${secret}]\n` });
  const file = join(dir, 'c.yaml');
  const err = await errorOf(loadConfigFile(file, schema));
  t.notMatch(err.message, secret);
  t.notMatch(err.message, '42');
  t.same(err.message.split('\n'), [
    `${file}:4:19: tokens.signingKeyFile: expected string, got number`,
    `${file}:5:15: tokens.adminToken: expected string, got list`,
  ]);
  const short = 'sh0rt-s3cret';
  const envErr = await errorOf(loadConfigFile(file, schema, { env: { FERRY_ADMIN_TOKEN: short }, envPrefix: 'FERRY_', envMap }));
  t.notMatch(envErr.message, short);
  t.match(envErr.message, /^env FERRY_ADMIN_TOKEN: tokens\.adminToken: Too small/m);
  // A YAML syntax error's pretty form would quote the line; ours must not.
  const bad = t.testdir({ 'c.yaml': `tokens:\n  adminToken: ${secret}: x\n` });
  const err2 = await errorOf(loadConfigFile(join(bad, 'c.yaml'), schema));
  t.match(err2.message, /YAML syntax error/);
  t.notMatch(err2.message, secret);
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
