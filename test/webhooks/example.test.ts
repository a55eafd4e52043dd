// examples/webhooks: the example webhook server starts over mTLS, answers ferry's client
// (accept, refuse, authorise per route, config) and stops.
import { join } from 'node:path';
import t from 'tap';
import { assertDistFresh } from '../../testkit/dist-freshness.js';
import { exec } from '../../testkit/exec.js';
import { ROOT } from '../../testkit/processes.js';

t.before(() => assertDistFresh(ROOT));

void t.test('the example webhook server answers and stops', async (t) => {
  const run = await exec(process.execPath, [join(ROOT, 'examples', 'webhooks', 'auth-webhook-server.mjs'), '--once'], { cwd: ROOT, timeoutMs: 60_000 });
  t.equal(run.code, 0, `exit code 0 (stderr: ${run.stderr.slice(-500)})`);
  t.match(run.stdout, /^webhook server at https:\/\/127\.0\.0\.1:\d+ \(mTLS/m);
  t.match(run.stdout, /^password alice: true as alice, metadata \{"groups":"ops","session":"\[sensitive\]"\}$/m);
  t.match(run.stdout, /^password alice \(wrong\): false$/m);
  t.match(run.stdout, /^authz alice a1\/kubernetes\/prod: true$/m);
  t.match(run.stdout, /^authz bob a1\/kubernetes\/prod: false$/m);
  t.match(run.stdout, /^config alice: \{"rateLimits":\{"requestsPerSecond":10\}\}$/m);
  t.match(run.stdout, /stopped\n$/);
});
