// examples/local: up.sh brings up a CA, controller, agent and demo service as plain
// processes, curl.sh goes through the tunnel, both programs report ready and serve
// metrics, and down.sh stops everything cleanly. Run on free ports in a temp directory.
import t from 'tap';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOT } from '../../testkit/processes.js';
import { freePort, opsStatus, scrape } from './ops-helpers.js';

const LOCAL = join(ROOT, 'examples', 'local');

function run(script: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', [join(LOCAL, script), ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Alive and not a zombie (the scripts' processes outlive up.sh, so init reaps them, in its own time). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

void t.test('up.sh, curl.sh and down.sh on one machine', async (t) => {
  const dir = t.testdir({});
  const ports = {
    AGENTS_PORT: await freePort(),
    FRONT_DOOR_PORT: await freePort(),
    CONTROL_PORT: await freePort(),
    CONTROLLER_METRICS_PORT: await freePort(),
    AGENT_METRICS_PORT: await freePort(),
    DEMO_PORT: await freePort(),
  };
  const env: NodeJS.ProcessEnv = { FERRY_LOCAL_DIR: dir, ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])) };
  let down = false;
  t.teardown(async () => {
    if (!down) await run('down.sh', [], env);
  });

  const up = await run('up.sh', [], env);
  t.equal(up.code, 0, `up.sh: ${up.stderr}`);
  t.match(up.stdout, /ferry is running/);

  const hello = await run('curl.sh', ['/hello?from=ci'], env);
  t.equal(hello.code, 0, `curl.sh: ${hello.stderr}`);
  const body = JSON.parse(hello.stdout) as { hello: string; path: string; headers: Record<string, string> };
  t.equal(body.hello, 'from the demo service');
  t.equal(body.path, '/hello?from=ci');
  t.notOk(body.headers['x-ferry-token'], 'the ferry token was stripped before the demo service');
  t.match(body.headers['via'], /ferry-agent\/demo/);

  for (const port of [ports.CONTROLLER_METRICS_PORT, ports.AGENT_METRICS_PORT]) {
    t.equal(await opsStatus(port, '/readyz'), 200, `ready on ${port}`);
    t.match(await scrape(port), /ferry_requests_total\{service_type="x-demo",code_class="2xx"\} 1/, `one request counted on ${port}`);
  }
  t.match(await scrape(ports.CONTROLLER_METRICS_PORT), /ferry_tokens_issued_total\{purpose="service"\} 1\n/, 'the control API token was counted');
  const token = (await readFile(join(dir, 'demo.token'), 'utf8')).trim();
  t.ok(token.split('.').length === 3, 'a JWT was fetched from the control API');
  t.notMatch(up.stdout, token, 'up.sh does not print the token');

  const pids = await Promise.all(['agent', 'controller', 'demo'].map(async (n) => Number(await readFile(join(dir, `${n}.pid`), 'utf8'))));
  const stopped = await run('down.sh', [], env);
  down = true;
  t.equal(stopped.code, 0, `down.sh: ${stopped.stderr}`);
  for (const pid of pids) t.notOk(running(pid), `process ${pid} is gone`);
  const controllerLog = await readFile(join(dir, 'controller.log'), 'utf8');
  t.match(controllerLog, /"msg":"controller stopped"/, 'the controller stopped gracefully');
});
