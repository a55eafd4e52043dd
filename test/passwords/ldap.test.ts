// The LDAP password backend against a real slapd: search + bind, groups both ways, every
// refusal (wrong password, unknown user, empty password, filter injection), LDAP down → 503,
// and the password in no log line or error.
import t from 'tap';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfigText } from '../../src/config/load-yaml.js';
import { ldapConfigSchema, type LdapConfig } from '../../src/config/ldap-config.js';
import { ConfigError } from '../../src/config/config-error.js';
import { FerryError, httpStatusOf } from '../../src/errors.js';
import { groupNameOfDn, LdapPasswordChecker, escapeFilterValue } from '../../src/passwords/ldap.js';
import { startSlapd } from '../../testkit/slapd.js';

const slapd = await startSlapd();
t.teardown(() => slapd.stop());
const dir = await mkdtemp(join(tmpdir(), 'ferry-ldap-test-'));
const pwFile = join(dir, 'bind-password');
await writeFile(pwFile, `${slapd.servicePassword}\n`);

function configOf(extra: Record<string, unknown> = {}): LdapConfig {
  return ldapConfigSchema.parse({ url: slapd.url, bindDn: slapd.serviceDn, bindPassword: { file: pwFile }, userBase: slapd.peopleBase, ...extra });
}

const logs: string[] = [];
const log = (level: string, msg: string, fields?: Record<string, unknown>) => logs.push(JSON.stringify({ level, msg, ...fields }));

void t.test('memberOf: the right user and password give subject, groups and labels', async (t) => {
  const checker = new LdapPasswordChecker(configOf(), { log });
  t.same(await checker.check('alice', 'alice-pw-1'), { subject: 'alice', groups: ['devs', 'ops'], labels: { mail: ['alice@ferry.test'] } });
  t.same(await checker.check('bob', 'bob-pw-2'), { subject: 'bob', groups: ['devs'], labels: { mail: ['bob@ferry.test'] } });
  t.same(await checker.check('carol', 'carol (pw*3)'), { subject: 'carol', groups: [], labels: {} }, 'filter characters in a password are fine');
});

void t.test('group search gives the same groups', async (t) => {
  const checker = new LdapPasswordChecker(configOf({ groups: { from: 'search', base: slapd.groupsBase } }), { log });
  t.same((await checker.check('alice', 'alice-pw-1'))?.groups, ['devs', 'ops']);
  t.same((await checker.check('carol', 'carol (pw*3)'))?.groups, []);
});

void t.test('refusals are null (the next backend is asked; all null is a 401)', async (t) => {
  const checker = new LdapPasswordChecker(configOf(), { log });
  t.equal(await checker.check('alice', 'wrong-pw-xyz'), null, 'wrong password');
  t.equal(await checker.check('alice', 'bob-pw-2'), null, "another user's password");
  t.equal(await checker.check('nobody', 'alice-pw-1'), null, 'unknown user');
  t.equal(await checker.check('alice', ''), null, 'empty password (an unauthenticated bind would succeed)');
  t.equal(await checker.check('', 'alice-pw-1'), null, 'empty username');
  t.equal(await checker.check('*', 'alice-pw-1'), null, 'a wildcard is not a user');
  t.equal(await checker.check('alice)(uid=*', 'alice-pw-1'), null, 'filter injection is escaped');
  t.equal(await checker.check('ali*', 'alice-pw-1'), null, 'a substring is not a user');
});

void t.test('a refused service bind is 503 with a reason, not 401', async (t) => {
  const badFile = join(dir, 'bad-bind');
  await writeFile(badFile, 'not-the-service-password');
  const checker = new LdapPasswordChecker(configOf({ bindPassword: { file: badFile } }), { log });
  const err = await checker.check('alice', 'alice-pw-1').then(() => undefined, (e: unknown) => e);
  t.ok(err instanceof FerryError && err.code === 'FERRY_ERR_UNAVAILABLE', 'FERRY_ERR_UNAVAILABLE');
  t.equal(httpStatusOf(err), 503);
  t.match((err as Error).message, /service account bind was refused/);
  t.notMatch((err as Error).message, /not-the-service-password|alice-pw-1/);
});

void t.test('an unset bind password env var is 503 naming the variable', async (t) => {
  const checker = new LdapPasswordChecker(configOf({ bindPassword: { env: 'FERRY_TEST_LDAP_UNSET_VAR' } }), { log });
  await t.rejects(checker.check('alice', 'alice-pw-1'), { code: 'FERRY_ERR_UNAVAILABLE', message: /FERRY_TEST_LDAP_UNSET_VAR/ });
});

void t.test('LDAP down → FERRY_ERR_UNAVAILABLE (503) with a clear reason; back up → works', async (t) => {
  const checker = new LdapPasswordChecker(configOf({ timeout: '2s' }), { log });
  await slapd.pause();
  try {
    const started = Date.now();
    const err = await checker.check('alice', 'alice-pw-1').then(() => undefined, (e: unknown) => e);
    t.ok(err instanceof FerryError && err.code === 'FERRY_ERR_UNAVAILABLE');
    t.equal(httpStatusOf(err), 503);
    t.match((err as Error).message, /password check unavailable \(LDAP ldap:\/\/127\.0\.0\.1:\d+: cannot connect/);
    t.notMatch((err as Error).message, /alice-pw-1/);
    t.ok(Date.now() - started < 2500, 'answers within the timeout');
  } finally {
    await slapd.resume();
  }
  t.equal((await checker.check('alice', 'alice-pw-1'))?.subject, 'alice');
});

void t.test('no password in any log line', (t) => {
  t.ok(logs.length > 0, 'something was logged');
  for (const secret of ['alice-pw-1', 'bob-pw-2', 'carol (pw*3)', 'wrong-pw-xyz', slapd.servicePassword, 'not-the-service-password']) {
    t.notOk(logs.some((l) => l.includes(secret)), `not logged: ${secret.slice(0, 3)}…`);
  }
  t.end();
});

void t.test('config errors name file, line and key', (t) => {
  const bad = (text: string) => {
    try {
      parseConfigText(text, 'ldap.yaml', ldapConfigSchema);
    } catch (err) {
      if (err instanceof ConfigError) return err.message;
      throw err;
    }
    return 'parsed';
  };
  t.match(bad('url: http://x\nuserBase: dc=x\n'), /ldap\.yaml:1:\d+: url: .*ldap:\/\//);
  t.match(bad('url: ldap://x\nuserBase: dc=x\ngroups: { from: search }\n'), /ldap\.yaml:3:\d+: groups\.base: .*required/);
  t.match(bad('url: ldap://x\nuserBase: dc=x\nuserFilter: "(uid=x)"\n'), /ldap\.yaml:3:\d+: userFilter: .*\{username\}/);
  t.match(bad('url: ldap://x\nuserBase: dc=x\nbindPassword: { file: a, env: B }\n'), /ldap\.yaml:3:\d+: bindPassword: .*exactly one/);
  t.match(bad('url: ldap://x\nuserBase: dc=x\nbindPasword: x\n'), /ldap\.yaml:3:\d+: .*bindPasword/);
  t.end();
});

void t.test('helpers', (t) => {
  t.equal(escapeFilterValue('a*b(c)d\\e\0'), 'a\\2ab\\28c\\29d\\5ce\\00');
  t.equal(groupNameOfDn('cn=devs,ou=groups,dc=x'), 'devs');
  t.equal(groupNameOfDn('CN=Team\\, Ops,OU=g,DC=x'), 'Team, Ops');
  t.end();
});
