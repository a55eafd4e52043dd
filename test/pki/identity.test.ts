import t from 'tap';
import { identityFromUri, identityToUri, isDnsSafeName, type Identity } from '../../src/pki/index.js';

void t.test('every identity kind round-trips through its URI', (t) => {
  const ids: Array<[Identity, string]> = [
    [{ kind: 'agent', agent: 'prod-eu' }, 'spiffe://ferry.local/agent/prod-eu'],
    [{ kind: 'control', name: 'admin' }, 'spiffe://ferry.local/control/admin'],
    [{ kind: 'service', agent: 'a1', type: 'x-foo', name: 'jenkins1' }, 'spiffe://ferry.local/service/a1/x-foo/jenkins1'],
    [{ kind: 'user', name: 'alice', groups: [] }, 'spiffe://ferry.local/user/alice'],
    [{ kind: 'controller' }, 'spiffe://ferry.local/controller'],
  ];
  for (const [id, uri] of ids) {
    t.equal(identityToUri(id, 'ferry.local'), uri);
    t.same(identityFromUri(uri), { trustDomain: 'ferry.local', identity: id });
  }
  t.end();
});

void t.test('isDnsSafeName follows RFC 1123 labels', (t) => {
  for (const ok of ['a', 'a1', 'prod-eu', 'x-foo', '0', 'a'.repeat(63)]) t.ok(isDnsSafeName(ok), ok);
  for (const bad of ['', 'A1', '-a', 'a-', 'a_b', 'a.b', 'a/b', 'a'.repeat(64), 'ä', 'a b']) t.notOk(isDnsSafeName(bad), bad);
  t.end();
});

void t.test('identityToUri refuses bad names and trust domains', (t) => {
  t.throws(() => identityToUri({ kind: 'agent', agent: 'Bad_Name' }, 'ferry.local'), { code: 'FERRY_ERR_BAD_INPUT', message: /agent name "Bad_Name"/ });
  t.throws(() => identityToUri({ kind: 'service', agent: 'a', type: 'x/y', name: 'n' }, 'ferry.local'), { code: 'FERRY_ERR_BAD_INPUT' });
  t.throws(() => identityToUri({ kind: 'user', name: 'bob', groups: ['bad group'] }, 'ferry.local'), { code: 'FERRY_ERR_BAD_INPUT' });
  t.throws(() => identityToUri({ kind: 'agent', agent: 'a' }, 'Ferry.Local'), { code: 'FERRY_ERR_BAD_INPUT' });
  t.doesNotThrow(() => identityToUri({ kind: 'user', name: 'bob', groups: ['system:masters'] }, 'ferry.local'));
  t.end();
});

void t.test('identityFromUri is strict', (t) => {
  const bad = [
    'https://ferry.local/agent/a',
    'spiffe://ferry.local',
    'spiffe://ferry.local/',
    'spiffe://ferry.local/agent/a/',
    'spiffe://ferry.local/agent/',
    'spiffe://ferry.local//agent/a',
    'spiffe://ferry.local/agent/A',
    'spiffe://ferry.local/agent/a%2Fb',
    'spiffe://ferry.local/agent/a?x=1',
    'spiffe://ferry.local/agent/a#f',
    'spiffe://user@ferry.local/agent/a',
    'spiffe://ferry.local:443/agent/a',
    'spiffe://ferry.local/service/a/b',
    'spiffe://ferry.local/controller/x',
    'spiffe://ferry.local/unknown/a',
    'spiffe://ferry..local/agent/a',
    'spiffe://ferry.local/agent/a b',
  ];
  for (const uri of bad) t.throws(() => identityFromUri(uri), { code: 'FERRY_ERR_CERT' }, uri);
  t.end();
});
