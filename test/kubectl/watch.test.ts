// `kubectl get pods -w` through ferry: events arrive as they are produced, and one
// watch survives more than 60 s of silence (no idle or body timeout on any hop, and
// kubectl never has to re-list).
import t from 'tap';
import { kubectlLong, startKubectlEnv } from './kubectl-env.js';

const SILENCE_MS = 62_000;
const env = await startKubectlEnv(t);

void t.test('get pods -w receives events as they happen, across 60 s of silence', { timeout: SILENCE_MS + 60_000 }, async (t) => {
  const w = kubectlLong(env, ['get', 'pods', '-w', '--output-watch-events']);
  t.teardown(() => void w.child.kill('SIGKILL'));
  await w.waitFor(/\nADDED\s+web\s.*\n/);
  await new Promise((r) => setTimeout(r, 200));
  const pod = { metadata: { name: 'early' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } };

  let at = Date.now();
  env.kube.emitEvent('ADDED', 'default', pod);
  await w.waitFor(/\nADDED\s+early\s.*\n/, 5_000);
  t.match(w.output(), /\nADDED\s+early\s+1\/1\s+Running\s+0\s+\d+s\n/);
  t.comment(`ADDED arrived after ${Date.now() - at} ms`);

  const watches = () => env.kube.requests.filter((r) => /[?&]watch=(1|true)/.test(r.path));
  t.equal(watches().length, 1, 'one watch request');

  await new Promise((r) => setTimeout(r, SILENCE_MS));
  t.equal(w.child.exitCode, null, `kubectl still running after ${SILENCE_MS / 1000} s of silence`);
  at = Date.now();
  env.kube.emitEvent('MODIFIED', 'default', 'early');
  await w.waitFor(/\nMODIFIED\s+early\s.*\n/, 5_000);
  t.comment(`MODIFIED after ${SILENCE_MS / 1000} s of silence arrived after ${Date.now() - at} ms`);

  await new Promise((r) => setTimeout(r, 1_000));
  at = Date.now();
  env.kube.emitEvent('DELETED', 'default', 'early');
  await w.waitFor(/\nDELETED\s+early\s.*\n/, 5_000);
  t.comment(`DELETED arrived after ${Date.now() - at} ms`);
  t.match(w.output(), /\nMODIFIED\s+early\s+1\/1\s+Running\s+0\s+\d+s\nDELETED\s+early\s+1\/1\s+Running\s+0\s+\d+s\n$/);

  t.equal(watches().length, 1, 'still the same watch: it was never cut and re-established');
  t.equal(w.stderr(), '', 'kubectl reported nothing');
  w.child.kill('SIGKILL');
  await w.exited;
});
