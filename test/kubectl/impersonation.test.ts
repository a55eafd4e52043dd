// With `impersonate: true` the agent calls the API server with its own token plus
// Impersonate-User/-Group of the kubeconfig's user (the JWT's sub and groups), so
// cluster RBAC applies per person. The client's own credential and any Impersonate-*
// it sends itself (kubectl --as/--as-group/--as-uid) never get through.
import t from 'tap';
import type { RecordedRequest } from '../fixtures/kube-apiserver/index.js';
import { KUBE_TOKEN, kubectl, startKubectlEnv } from './kubectl-env.js';

const env = await startKubectlEnv(t, { impersonate: true, user: 'alice', groups: ['devs', 'qa'] });

const since = (n: number): RecordedRequest[] => env.kube.requests.slice(n);
const impersonation = (r: RecordedRequest): Record<string, unknown> =>
  Object.fromEntries(Object.entries(r.headers).filter(([k]) => k.startsWith('impersonate-')));

void t.test("the stand-in sees the agent's token and the kubeconfig user, never the client's token", async (t) => {
  const n = env.kube.requests.length;
  const r = await kubectl(env, ['get', 'pods']);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout.toString(), /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\nweb\s+1\/1\s+Running/);
  const seen = since(n);
  t.ok(seen.some((x) => x.path.startsWith('/api/v1/namespaces/default/pods')), 'the list reached the stand-in');
  for (const x of seen) {
    t.equal(x.headers.authorization, `Bearer ${KUBE_TOKEN}`, `${x.method} ${x.path}: agent token`);
    t.same(impersonation(x), { 'impersonate-user': 'alice', 'impersonate-group': 'devs, qa' }, `${x.method} ${x.path}: impersonates the kubeconfig user`);
    t.notOk(JSON.stringify(x.headers).includes(env.clientToken), `${x.method} ${x.path}: no client token`);
  }
});

void t.test('kubectl --as/--as-group/--as-uid are dropped and replaced, never forwarded', async (t) => {
  const n = env.kube.requests.length;
  const r = await kubectl(env, ['get', 'pods', '--as=system:admin', '--as-group=system:masters', '--as-uid=0']);
  t.equal(r.code, 0, r.stderr);
  const seen = since(n);
  t.ok(seen.some((x) => x.path.startsWith('/api/v1/namespaces/default/pods')), 'the list reached the stand-in');
  for (const x of seen) {
    t.same(impersonation(x), { 'impersonate-user': 'alice', 'impersonate-group': 'devs, qa' }, `${x.method} ${x.path}: only ferry's impersonation`);
    const all = JSON.stringify(x.headers);
    t.notOk(/system:admin|system:masters/.test(all), `${x.method} ${x.path}: nothing of the client's --as`);
    t.equal(x.headers.authorization, `Bearer ${KUBE_TOKEN}`);
  }
});

void t.test('exec (an upgrade) impersonates the same way, and --as does not get through', async (t) => {
  const n = env.kube.requests.length;
  const r = await kubectl(env, ['exec', 'web', '--as=system:admin', '--as-group=system:masters', '--', 'echo', 'hi']);
  t.equal(r.code, 0, r.stderr);
  t.equal(r.stdout.toString(), 'hi\n');
  const up = since(n).find((x) => x.path.includes('/pods/web/exec?'));
  t.equal(up?.upgrade?.toLowerCase(), 'websocket');
  t.equal(up?.headers.authorization, `Bearer ${KUBE_TOKEN}`);
  t.same(up && impersonation(up), { 'impersonate-user': 'alice', 'impersonate-group': 'devs, qa' });
  t.notOk(JSON.stringify(up?.headers).includes(env.clientToken));
  t.notOk(/system:admin|system:masters/.test(JSON.stringify(up?.headers)));
});
