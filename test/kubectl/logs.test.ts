// `kubectl logs -f` through ferry streams live lines, and a killed kubectl closes the
// upstream log stream every time: the cancel travels client → controller → agent →
// API server, 100 times in a row with nothing left open.
import t from 'tap';
import { kubectlLong, startKubectlEnv, until } from './kubectl-env.js';

const env = await startKubectlEnv(t);
env.kube.appendLog('default', 'web', 'first line\n');

void t.test('logs -f streams lines as they are written', async (t) => {
  const l = kubectlLong(env, ['logs', '-f', 'web']);
  t.teardown(() => void l.child.kill('SIGKILL'));
  await l.waitFor('first line\n');
  t.equal(env.kube.openLogStreams, 1);
  for (let i = 0; i < 5; i++) {
    const at = Date.now();
    env.kube.appendLog('default', 'web', `live ${i}\n`);
    await l.waitFor(`live ${i}\n`, 5_000);
    t.comment(`live ${i} arrived after ${Date.now() - at} ms`);
  }
  t.equal(l.output(), 'first line\nlive 0\nlive 1\nlive 2\nlive 3\nlive 4\n', 'in order, nothing else');
  const req = env.kube.requests.find((r) => r.path.includes('/pods/web/log'));
  t.match(req?.path, /follow=true/);
  l.child.kill('SIGKILL');
  await l.exited;
  await until(() => env.kube.openLogStreams === 0, 10_000, 'upstream log stream closed');
  t.equal(env.kube.openLogStreams, 0);
});

void t.test('killing kubectl logs -f 100 times in a row closes the upstream stream every time', { timeout: 240_000 }, async (t) => {
  const closeTimes: number[] = [];
  const started = Date.now();
  let failures = 0;
  for (let i = 0; i < 100; i++) {
    const l = kubectlLong(env, ['logs', '-f', 'web']);
    try {
      await l.waitFor('first line\n');
      if (env.kube.openLogStreams !== 1) failures++;
    } finally {
      l.child.kill('SIGKILL');
    }
    await l.exited;
    const killed = Date.now();
    try {
      await until(() => env.kube.openLogStreams === 0, 10_000, `round ${i}: upstream log stream closed`);
    } catch (err) {
      t.fail(String(err));
      break;
    }
    closeTimes.push(Date.now() - killed);
  }
  t.equal(failures, 0, 'each round had exactly one upstream stream open while kubectl ran');
  t.equal(closeTimes.length, 100, 'all 100 rounds closed their upstream stream');
  t.equal(env.kube.openLogStreams, 0);
  const sorted = [...closeTimes].sort((a, b) => a - b);
  t.comment(`100 rounds in ${Date.now() - started} ms; upstream close after kill: median ${sorted[50]} ms, max ${sorted[sorted.length - 1]} ms`);
  const follows = env.kube.requests.filter((r) => r.path.includes('/pods/web/log') && r.path.includes('follow=true'));
  t.equal(follows.length, 101, 'one upstream follow per kubectl');
});
