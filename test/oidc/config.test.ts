// A malformed `oidc:` or `login:` in the controller config: `ferry controller --check-config`
// names file:line:column and key for each problem, and never shows a secret value.
import t from 'tap';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createCA } from '../../src/pki/index.js';
import { ferryOnce } from '../../testkit/processes.js';

const dir = t.testdir({});
const ca = await createCA();
await writeFile(join(dir, 'ca.crt'), ca.certPem);
await writeFile(join(dir, 'ca.key'), ca.keyPem, { mode: 0o600 });

void t.test('bad oidc: and login: sections, one line per problem', async (t) => {
  const file = join(dir, 'controller.yaml');
  await writeFile(
    file,
    [
      'ca: { cert: ca.crt, key: ca.key }',
      'oidc:',
      '  issuers:',
      '    - issuer: not a url',
      '      clientID: kubectl',
      '  access:',
      '    - routes: ["kubernetes"]',
      'login:',
      '  passwords:',
      '    - url: http://ldap.example.com',
      '      userBase: dc=x',
      '      bindPassword: "hunter2-secret"',
      '',
    ].join('\n'),
  );
  const run = await ferryOnce(['controller', '--check-config', '--config', file]);
  t.equal(run.code, 1);
  const lines = run.stderr.split('\n').filter((l) => l !== '');
  t.match(lines.join('\n'), new RegExp(`${file}:4:\\d+: oidc\\.issuers\\[0\\]\\.issuer: `));
  t.match(lines.join('\n'), new RegExp(`${file}:5:\\d+: oidc\\.issuers\\[0\\]\\.clientID: unknown key`));
  t.match(lines.join('\n'), new RegExp(`${file}:7:\\d+: oidc\\.access\\[0\\]\\.routes\\[0\\]: expected "\\*", "type/\\*" or "type/name"`));
  t.match(lines.join('\n'), new RegExp(`${file}:10:\\d+: login\\.passwords\\[0\\]\\.url: expected ldap://`));
  t.match(lines.join('\n'), new RegExp(`${file}:12:\\d+: login\\.passwords\\[0\\]\\.bindPassword: `));
  t.notOk(run.stderr.includes('hunter2-secret'), 'the secret is not shown');
});

void t.test('a good one passes', async (t) => {
  const file = join(dir, 'good.yaml');
  await writeFile(
    file,
    [
      'ca: { cert: ca.crt, key: ca.key }',
      'oidc:',
      '  issuers: [{ issuer: "https://idp.example.com", clientId: kubectl, usernameClaim: email }]',
      '  access: [{ groups: [sre] }]',
      'login:',
      '  clusters: [{ name: prod, agent: prod }]',
      '  passwords: [{ type: ldap, url: "ldaps://ldap.example.com", userBase: "dc=x", bindDn: "cn=svc", bindPassword: { env: LDAP_PW } }]',
      '',
    ].join('\n'),
  );
  const run = await ferryOnce(['controller', '--check-config', '--config', file]);
  t.equal(run.code, 0, run.stderr);
});
