// Small pure pieces of the control plane: kubeconfig merging, renewal timing, the
// agent config's tls-or-bootstrap rule.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { stringify } from 'yaml';
import { renewalDelayMs } from '../../src/agent/bootstrap.js';
import { loadAgentConfig } from '../../src/config/agent-config.js';
import { defaultServiceTypes } from '../../src/services/default-types.js';
import { mergeKubeconfig } from '../../src/controller/control-api/index.js';
import { createCA, createCsr } from '../../src/pki/index.js';

const entry = { name: 'ferry-a-default', server: 'https://ferry:9002', caPem: 'CA', token: 'T2' };

void t.test('mergeKubeconfig: new file, update by name, namespace kept unless given', (t) => {
  const fresh = mergeKubeconfig(undefined, entry);
  t.equal(fresh['current-context'], 'ferry-a-default');
  t.same(fresh.users, [{ name: 'ferry-a-default', user: { token: 'T2' } }]);
  const old = { ...fresh, contexts: [{ name: 'ferry-a-default', context: { cluster: 'x', user: 'y', namespace: 'ns1' } }], 'current-context': 'mine', extra: 1 };
  const merged = mergeKubeconfig(old, entry);
  t.same(merged.contexts, [{ name: 'ferry-a-default', context: { cluster: 'ferry-a-default', user: 'ferry-a-default', namespace: 'ns1' } }]);
  t.equal(merged['current-context'], 'mine');
  t.equal(merged.extra, 1, 'unknown top-level keys survive');
  const asked = mergeKubeconfig(old, { ...entry, namespace: 'ns2' }).contexts[0]?.context as { namespace?: string } | undefined;
  t.equal(asked?.namespace, 'ns2', 'an asked-for namespace wins');
  t.throws(() => mergeKubeconfig([1, 2], entry), { code: 'FERRY_ERR_BAD_INPUT' });
  t.throws(() => mergeKubeconfig({ clusters: 'nope' }, entry), { code: 'FERRY_ERR_BAD_INPUT' });
  t.end();
});

void t.test('renewal comes at 2/3 of the life since the certificate was obtained, not since its backdated start', async (t) => {
  const ca = await createCA();
  const { csrPem } = await createCsr({ kind: 'agent', agent: 'a' }, ca.trustDomain);
  const now = Date.now();
  const { certPem } = await ca.signCsr(csrPem, { kind: 'agent', agent: 'a' }, { notAfter: new Date(now + 9_000) });
  const delay = renewalDelayMs(certPem, now, 2 / 3, now);
  t.ok(delay > 5_000 && delay <= 6_000, `~6 s, got ${delay}`);
  t.equal(renewalDelayMs(certPem, now, 2 / 3, now + 20_000), 0, 'overdue: now');
});

void t.test('agent config: exactly one of tls or bootstrap, and one of token or tokenFile', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-agent-cfg-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const load = async (doc: Record<string, unknown>) => {
    const file = join(dir, 'agent.yaml');
    await writeFile(file, stringify({ controller: { address: 'c:9001' }, ...doc }));
    return loadAgentConfig(file, {}, defaultServiceTypes());
  };
  const bootstrap = { tokenFile: 'tok', controlUrl: 'https://c:9003', caFile: 'ca.crt' };
  const cfg = await load({ bootstrap, certDir: 'certs' });
  t.equal(cfg.tls.cert, join(dir, 'certs', 'agent.crt'));
  t.equal(cfg.bootstrap?.tokenFile, join(dir, 'tok'));
  await t.rejects(load({}), { code: 'FERRY_ERR_BAD_CONFIG' });
  await t.rejects(load({ bootstrap, tls: { cert: 'a', key: 'b', ca: 'c' } }), { code: 'FERRY_ERR_BAD_CONFIG' });
  await t.rejects(load({ bootstrap: { ...bootstrap, token: 'x' } }), { code: 'FERRY_ERR_BAD_CONFIG' });
  await t.rejects(load({ bootstrap: { ...bootstrap, controlUrl: 'not a url' } }), { code: 'FERRY_ERR_BAD_CONFIG' });
});
