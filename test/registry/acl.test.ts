// The ACL against docker_auth's documented examples (its reference.yml), as a table:
// first match wins, globs within a segment, /regex/, ${account} and ${labels:…}, ip, `[]` denies.
import t from 'tap';
import { FerryError } from '../../src/errors.js';
import { Acl, type AclRule } from '../../src/registry/acl.js';
import { AclAuthorizer } from '../../src/registry/acl-authorizer.js';
import { parseScope, parseScopes } from '../../src/registry/scope.js';

// docker_auth's reference.yml ACL, in its order (the `${account:1}` capture rule left out).
const rules: AclRule[] = [
  { match: { account: 'admin' }, actions: ['*'], comment: 'Admin has full access to everything.' },
  { match: { account: 'test', name: 'test-*' }, actions: ['*'], comment: 'User "test" has full access to test-* images but nothing else.' },
  { match: { account: 'test' }, actions: [], comment: 'User "test" has no access to anything else (the deny rule).' },
  { match: { account: '/.+/', name: '${account}/*' }, actions: ['*'], comment: "Logged in users have full access to images in their 'namespace'" },
  { match: { account: '/.+/', type: 'registry', name: 'catalog' }, actions: ['*'], comment: 'Logged in users can query the catalog.' },
  { match: { labels: { group: 'admins' } }, actions: ['*'], comment: 'members of LDAP group admins can do anything' },
  { match: { account: '/.+/', name: '${labels:project}/*' }, actions: ['push', 'pull'], comment: 'users may push and pull in their projects' },
  { match: { account: '/.+/', name: '${labels:group}-pub/*' }, actions: ['pull'], comment: 'a group namespace, pull only' },
  { match: { ip: '127.0.0.0/8', name: 'local/*' }, actions: ['pull'], comment: 'anyone on localhost pulls local/*' },
  { match: { service: 'other-registry' }, actions: ['pull'], comment: 'the other registry is readable by all' },
  { match: { account: '/.+/', name: 'library/*' }, actions: ['pull'], comment: 'Logged in users can pull all images in library/.' },
  { match: { account: '', name: 'hello-world' }, actions: ['pull'], comment: 'Anonymous users can pull "hello-world".' },
];
const acl = new Acl(rules);

interface Row {
  account: string;
  scope: string;
  granted: string[];
  labels?: Record<string, string[]>;
  ip?: string;
  service?: string;
}

const table: Row[] = [
  { account: 'admin', scope: 'repository:anything/at/all:pull,push,delete', granted: ['pull', 'push', 'delete'] },
  { account: 'admin', scope: 'registry:catalog:*', granted: ['*'] },
  { account: 'test', scope: 'repository:test-app:pull,push', granted: ['pull', 'push'] },
  { account: 'test', scope: 'repository:library/ubuntu:pull', granted: [] },
  { account: 'test', scope: 'repository:test/own:push', granted: [], },
  { account: 'alice', scope: 'repository:alice/app:pull,push', granted: ['pull', 'push'] },
  { account: 'alice', scope: 'repository:alice/team/app:push', granted: [] },
  { account: 'alice', scope: 'repository:bob/app:pull', granted: [] },
  { account: 'alice', scope: 'registry:catalog:*', granted: ['*'] },
  { account: 'alice', scope: 'repository:library/ubuntu:pull,push', granted: ['pull'] },
  { account: 'carol', scope: 'repository:prod/db:delete', granted: ['delete'], labels: { group: ['devs', 'admins'] } },
  { account: 'dave', scope: 'repository:web/app:pull,push,delete', granted: ['pull', 'push'], labels: { project: ['api', 'web'] } },
  { account: 'dave', scope: 'repository:ops/app:pull', granted: [], labels: { project: ['api', 'web'] } },
  { account: 'erin', scope: 'repository:devs-pub/tool:pull,push', granted: ['pull'], labels: { group: ['devs'] } },
  { account: '', scope: 'repository:local/base:pull', granted: ['pull'], ip: '127.0.0.1' },
  { account: '', scope: 'repository:local/base:pull', granted: ['pull'], ip: '::ffff:127.0.0.1' },
  { account: '', scope: 'repository:local/base:pull', granted: [], ip: '10.1.2.3' },
  { account: '', scope: 'repository:x/y:pull,push', granted: ['pull'], service: 'other-registry' },
  { account: '', scope: 'repository:hello-world:pull,push', granted: ['pull'] },
  { account: '', scope: 'repository:library/ubuntu:pull', granted: [] },
  // A user named `*` is a literal in ${account}, not a wildcard.
  { account: '*', scope: 'repository:alice/app:pull', granted: [] },
];

for (const row of table) {
  void t.test(`${row.account || '(anonymous)'} asks ${row.scope}`, (t) => {
    const asked = parseScope(row.scope);
    const [got] = acl.authorize({ account: row.account, service: row.service ?? 'registry', ip: row.ip ?? '192.0.2.1', labels: row.labels ?? {} }, [asked]);
    t.same(got, { type: asked.type, name: asked.name, actions: row.granted });
    t.end();
  });
}

void t.test('no rule matching grants nothing; the resource is still in the answer', (t) => {
  t.same(new Acl([]).authorize({ account: 'x', service: 's', ip: '', labels: {} }, [parseScope('repository:a:pull')]), [{ type: 'repository', name: 'a', actions: [] }]);
  t.end();
});

void t.test('bad patterns are config errors naming the rule', (t) => {
  t.throws(() => new Acl([{ match: { name: '/([/' }, actions: [] }]), /registry\.acl\[0\]\.match\.name: bad regular expression/);
  t.throws(() => new Acl([{ match: {}, actions: [] }, { match: { ip: '10.0.0.0/40' }, actions: [] }]), /registry\.acl\[1\]\.match\.ip/);
  t.end();
});

void t.test('scopes: repeated and merged, names with host:port, malformed ones refused', (t) => {
  t.same(parseScopes(['repository:a/b:pull', 'repository:a/b:push', 'repository:c:pull repository:a/b:pull']), [
    { type: 'repository', name: 'a/b', actions: ['pull', 'push'] },
    { type: 'repository', name: 'c', actions: ['pull'] },
  ]);
  t.same(parseScope('repository:localhost:5000/team/app:pull'), { type: 'repository', name: 'localhost:5000/team/app', actions: ['pull'] });
  t.same(parseScope('repository(plugin):x:pull'), { type: 'repository(plugin)', name: 'x', actions: ['pull'] });
  for (const bad of ['repository', 'repository:x', 'repository::pull', 'repository:x:', 'Repo!:x:pull', 'repository:x:pu ll']) {
    let code: string | undefined;
    try {
      parseScopes([bad]);
    } catch (err) {
      code = err instanceof FerryError ? err.code : 'other';
    }
    t.equal(code, 'FERRY_ERR_BAD_INPUT', bad);
  }
  t.throws(() => parseScopes([Array.from({ length: 101 }, (_, i) => `repository:r${i}:pull`).join(' ')]), /more than 100 scopes/);
  t.end();
});

void t.test("godoauth's per-user access (Vault KV) grants instead of the ACL", (t) => {
  const az = new AclAuthorizer(new Acl([{ match: {}, actions: ['*'] }]));
  const identity = { subject: 'foo', groups: [], labels: { 'vault-access': ['repository:linux/app:*', 'repository:linux/db:pull'] } };
  const scopes = parseScopes(['repository:linux/app:pull,push', 'repository:linux/db:pull,push', 'repository:other:pull']);
  t.same(az.authorize({ account: 'foo', identity, service: 's', ip: '', scopes }), [
    { type: 'repository', name: 'linux/app', actions: ['pull', 'push'] },
    { type: 'repository', name: 'linux/db', actions: ['pull'] },
    { type: 'repository', name: 'other', actions: [] },
  ]);
  t.end();
});
