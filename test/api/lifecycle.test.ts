// A controller and an agent embedded in this process as lifecycles (issue 14): hooks fire
// in order, stop(deadline) lets a short response finish and cuts a long one at the
// deadline, rotateLogs() writes to a new file after the old one was moved, and a start
// that fails (a port taken) ends in `crashed` with run() rejecting.
import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, rename, rm, stat } from 'node:fs/promises';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { Registry } from 'prom-client';
import { Agent as HttpsClient, request } from 'undici';
import {
  agentConfigFromObject,
  controllerConfigFromObject,
  createAgent,
  createCA,
  createController,
  createLogger,
  issueServiceToken,
  waitForConnection,
  writePublicFile,
  writeSecretFile,
  type Agent,
  type Controller,
  type Lifecycle,
} from '../../src/index.js';

const dir = await mkdtemp(join(tmpdir(), 'ferry-lifecycle-'));
t.teardown(() => rm(dir, { recursive: true, force: true }));
const ca = await createCA();
await writePublicFile(join(dir, 'ca.crt'), ca.certPem);
await writeSecretFile(join(dir, 'ca.key'), ca.keyPem);
const agentCert = await ca.issueClient({ kind: 'agent', agent: 'life' });
await writePublicFile(join(dir, 'agent.crt'), agentCert.certPem);
await writeSecretFile(join(dir, 'agent.key'), agentCert.keyPem);
const quiet = createLogger({ name: 'lifecycle-test', level: 'warn', pretty: false, destination: { write: () => true } });

// /slow?ms=N answers after N ms, holding the response open until then.
const upstream: Server = createServer((req, res) => {
  const ms = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('ms') ?? '0');
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.write('started\n');
  setTimeout(() => res.end('done\n'), ms);
});
await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
t.teardown(() => new Promise<void>((resolve) => upstream.close(() => resolve())));
const upstreamUrl = `http://127.0.0.1:${(upstream.address() as { port: number }).port}`;

const controllerConfig = (extra: Record<string, unknown> = {}) =>
  controllerConfigFromObject(
    {
      ca: { cert: 'ca.crt', key: 'ca.key' },
      agents: { listen: '127.0.0.1:0' },
      frontDoor: { listen: '127.0.0.1:0' },
      control: { listen: '127.0.0.1:0' },
      metrics: { listen: '127.0.0.1:0' },
      ...extra,
    },
    { baseDir: dir },
  );
const agentConfig = (controller: Controller) =>
  agentConfigFromObject(
    {
      controller: { address: `127.0.0.1:${controller.ports.agents}`, serverName: 'localhost' },
      tls: { cert: 'agent.crt', key: 'agent.key', ca: 'ca.crt' },
      services: [{ type: 'x-slow', name: 'up', url: upstreamUrl }],
    },
    { baseDir: dir },
  );

function record<T extends Controller | Agent>(life: Lifecycle<T>, name: string, events: string[]): Lifecycle<T> {
  return life
    .onStateChange((from, to) => events.push(`${name}: ${from} → ${to}`))
    .onStarting(() => events.push(`${name}: onStarting`))
    .onRunning(() => events.push(`${name}: onRunning`))
    .onStopping((deadline) => events.push(`${name}: onStopping ${deadline instanceof Date ? 'with a deadline' : '?'}`))
    .onStopped(() => events.push(`${name}: onStopped`))
    .onCrashed((err) => events.push(`${name}: onCrashed ${String(err)}`));
}

/** A controller and an agent running, connected; `stop` stops both by one deadline. */
async function startBoth(events: string[], controllerOptions: Parameters<typeof createController>[1] = { logger: quiet }) {
  const controller = record(createController(controllerConfig(), controllerOptions), 'controller', events);
  const controllerRun = controller.run();
  await new Promise<void>((resolve) => controller.onRunning(resolve));
  const agent = record(createAgent(agentConfig(controller.handle), { logger: quiet }), 'agent', events);
  const agentRun = agent.run();
  await new Promise<void>((resolve) => agent.onRunning(resolve));
  await waitForConnection(agent.handle, 15_000);
  return { controller, agent, controllerRun, agentRun };
}

void t.test('hooks fire in order, run() resolves once stopped', async (t) => {
  const events: string[] = [];
  const { controller, agent, controllerRun, agentRun } = await startBoth(events);
  t.equal(controller.state, 'running');
  await t.rejects(controller.run(), { code: 'FERRY_ERR_BAD_INPUT' }, 'run() twice is refused');
  await agent.stop(new Date(Date.now() + 2_000));
  await controller.stop(new Date(Date.now() + 2_000));
  await Promise.all([controllerRun, agentRun]);
  t.same(events, [
    'controller: stopped → starting',
    'controller: onStarting',
    'controller: starting → running',
    'controller: onRunning',
    'agent: stopped → starting',
    'agent: onStarting',
    'agent: starting → running',
    'agent: onRunning',
    'agent: running → stopping',
    'agent: onStopping with a deadline',
    'agent: stopping → stopped',
    'agent: onStopped',
    'controller: running → stopping',
    'controller: onStopping with a deadline',
    'controller: stopping → stopped',
    'controller: onStopped',
  ]);
  t.equal(controller.state, 'stopped');
  t.throws(() => controller.handle, { code: 'FERRY_ERR_UNAVAILABLE' }, 'no handle once stopped');
});

void t.test('stop(deadline): a response that ends before it completes, a longer one is cut at it', async (t) => {
  const { controller, agent, controllerRun, agentRun } = await startBoth([]);
  const { token } = await issueServiceToken(controller.handle.issuer, { agent: 'life', type: 'x-slow', name: 'up' }, 300);
  const client = new HttpsClient({ connect: { ca: ca.certPem }, bodyTimeout: 0, headersTimeout: 0 });
  t.teardown(() => client.close());
  const fetchBody = async (ms: number) => {
    const res = await request(`https://localhost:${controller.handle.ports.frontDoor}/slow?ms=${ms}`, { dispatcher: client, headers: { 'x-ferry-token': token } });
    return res.body.text();
  };
  const short = fetchBody(500);
  const long = fetchBody(20_000).then(
    (text) => ({ ok: true, text }),
    (err: unknown) => ({ ok: false, text: String(err) }),
  );
  await new Promise((resolve) => setTimeout(resolve, 200));
  const started = Date.now();
  const deadline = new Date(started + 1_500);
  await Promise.all([controller.stop(deadline), agent.stop(deadline)]);
  const took = Date.now() - started;
  t.equal(await short, 'started\ndone\n', 'the short response completed');
  const cut = await long;
  t.notOk(cut.ok && cut.text.endsWith('done\n'), `the long response was cut (${cut.text.slice(0, 60)})`);
  t.ok(took >= 1_000 && took < 6_000, `stopped at the deadline (${took} ms)`);
  await Promise.all([controllerRun, agentRun]);
});

void t.test('rotateLogs() writes to a new file after the old one was moved away', async (t) => {
  const logFile = join(dir, 'controller.log');
  const controller = createController(controllerConfig(), { logFile });
  const run = controller.run();
  await new Promise<void>((resolve) => controller.onRunning(resolve));
  t.match(await readFile(logFile, 'utf8'), /"msg":"controller started"/, 'lines go to the file');
  await rename(logFile, `${logFile}.1`);
  t.equal(controller.rotateLogs(), true);
  await controller.stop(new Date(Date.now() + 1_000));
  await run;
  t.match(await readFile(logFile, 'utf8'), /"msg":"controller stopped"/, 'later lines go to a new file at the same path');
  t.notMatch(await readFile(`${logFile}.1`, 'utf8'), /"msg":"controller stopped"/, 'not to the moved one');
  t.equal(createController(controllerConfig(), { logger: quiet }).rotateLogs(), false, 'no file: nothing to reopen');
  t.ok((await stat(logFile)).isFile());
});

void t.test('a start that fails (a port taken) ends in crashed, run() rejects with the error', async (t) => {
  const taken = createNetServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => taken.close(() => resolve())));
  const port = (taken.address() as { port: number }).port;
  const events: string[] = [];
  const controller = record(createController(controllerConfig({ frontDoor: { listen: `127.0.0.1:${port}` } }), { logger: quiet }), 'controller', events);
  await t.rejects(controller.run(), /EADDRINUSE|address already in use/i);
  t.equal(controller.state, 'crashed');
  t.match(events, ['controller: stopped → starting', 'controller: onStarting', 'controller: starting → crashed', /^controller: onCrashed .*(EADDRINUSE|in use)/i]);
  await controller.stop();
  t.equal(controller.state, 'crashed', 'stop() after a crash changes nothing');
});

void t.test("an embedder's metrics registry gets the controller's metrics", async (t) => {
  const registry = new Registry();
  const controller = createController(controllerConfig(), { logger: quiet, metricsRegistry: registry });
  const run = controller.run();
  await new Promise<void>((resolve) => controller.onRunning(resolve));
  t.match(await registry.metrics(), /ferry_build_info\{program="controller",version="[^"]+"\} 1/);
  t.notMatch(await registry.metrics(), /process_cpu_user_seconds_total/, "the embedder's own process metrics are left to it");
  await controller.stop(new Date(Date.now() + 1_000));
  await run;
});

void t.test('an agent whose start fails (a listener port taken) crashes and leaves nothing connected', async (t) => {
  const taken = createNetServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => taken.close(() => resolve())));
  const port = (taken.address() as { port: number }).port;
  const controller = createController(controllerConfig(), { logger: quiet });
  const controllerRun = controller.run();
  await new Promise<void>((resolve) => controller.onRunning(resolve));
  const config = agentConfigFromObject(
    {
      controller: { address: `127.0.0.1:${controller.handle.ports.agents}`, serverName: 'localhost' },
      tls: { cert: 'agent.crt', key: 'agent.key', ca: 'ca.crt' },
      listeners: [{ listen: `127.0.0.1:${port}`, type: 'x-store', name: 'store' }],
    },
    { baseDir: dir },
  );
  const agent = createAgent(config, { logger: quiet });
  await t.rejects(agent.run(), /cannot listen/);
  t.equal(agent.state, 'crashed');
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  t.same(controller.handle.registry.connectedAgents(), [], 'no session stays behind');
  await controller.stop(new Date(Date.now() + 1_000));
  await controllerRun;
});
