// `ferry quickstart` (what `npm start` runs): a CA, a controller, an agent and a demo
// service on this machine, a real request through the tunnel, and commands to try.
import type { Command } from 'commander';
import { access, mkdir, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { stringify } from 'yaml';
import { Agent as HttpsClient, request } from 'undici';
import {
  createLogger,
  FerryError,
  issueServiceToken,
  loadAgentConfig,
  loadControllerConfig,
  startAgent,
  startController,
  waitForConnection,
  writeCaFiles,
} from '../index.js';
import { startDemoService } from '../quickstart/demo-service.js';
import { step } from '../quickstart/steps.js';
import { onShutdown } from './signals.js';

const AGENT = 'demo-agent';
const SERVICE = { type: 'x-demo', name: 'hello' };

interface QuickstartOptions {
  dir: string;
  frontDoorPort: string;
  agentsPort: string;
  metricsPort: string;
  exit?: boolean;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

export function registerQuickstart(program: Command): void {
  program
    .command('quickstart')
    .description('run a CA, controller, agent and demo service on this machine and print commands to try')
    .option('--dir <dir>', 'where certificates and configs go', 'certs/quickstart')
    .option('--front-door-port <port>', 'front door port', '9002')
    .option('--agents-port <port>', 'agent gRPC port', '9001')
    .option('--metrics-port <port>', 'controller metrics port', '9102')
    .option('--exit', 'exit after the first request instead of serving until Ctrl-C')
    .action((opts: QuickstartOptions) => quickstart(opts));
}

async function quickstart(opts: QuickstartOptions): Promise<void> {
  const dir = resolve(opts.dir);
  const rel = relative(process.cwd(), dir) || '.';
  process.stdout.write(`ferry quickstart (files in ${rel})\n`);
  // Components log warnings only; the steps below say what happens.
  const logger = createLogger({ name: 'ferry-quickstart', level: 'warn' });

  await step('certificate authority', async () => {
    await mkdir(dir, { recursive: true });
    if (!(await exists(join(dir, 'ca.crt')))) {
      await writeCaFiles({ out: dir, agents: [AGENT], control: 'admin', trustDomain: 'ferry.local', algorithm: 'ecdsa-p256', days: 365, caDays: 3650, kubernetes: false, namespace: 'default', force: false });
    }
  });
  const demo = await step('demo service', () => startDemoService());

  await writeFile(
    join(dir, 'controller.yaml'),
    stringify({
      ca: { cert: 'ca.crt', key: 'ca.key' },
      agents: { listen: `127.0.0.1:${opts.agentsPort}` },
      frontDoor: { listen: `127.0.0.1:${opts.frontDoorPort}`, serverNames: ['localhost', '127.0.0.1'] },
      control: { listen: '127.0.0.1:9003' },
      metrics: { listen: `127.0.0.1:${opts.metricsPort}` },
      shutdown: { grace: '5s' },
      // A docker registry token endpoint at /registry/auth: a ferry token is the password, logged-in users pull.
      registry: { services: ['ferry-registry'], authenticators: [{ kind: 'ferry-token' }], acl: [{ match: { account: '/.+/' }, actions: ['pull'] }] },
    }),
  );
  await writeFile(
    join(dir, 'agent.yaml'),
    stringify({
      controller: { address: `127.0.0.1:${opts.agentsPort}`, serverName: 'localhost' },
      tls: { cert: `agent-${AGENT}.crt`, key: `agent-${AGENT}.key`, ca: 'ca.crt' },
      services: [{ ...SERVICE, url: demo.url, annotations: { description: 'quickstart demo service' } }],
      shutdown: { grace: '5s' },
    }),
  );

  const controller = await step(`controller (front door https://localhost:${opts.frontDoorPort})`, async () =>
    startController(await loadControllerConfig(join(dir, 'controller.yaml')), { logger }),
  );
  const agent = await step(`agent "${AGENT}" connected`, async () => {
    const a = await startAgent(await loadAgentConfig(join(dir, 'agent.yaml')), { logger });
    await waitForConnection(a, 15_000);
    return a;
  });

  const stopAll = async () => {
    await agent.stop(2_000);
    await controller.stop(2_000);
    demo.server.close();
  };

  const tokenFile = join(dir, 'demo.token');
  const { token } = await issueServiceToken(controller.issuer, { agent: AGENT, ...SERVICE }, 24 * 3600);
  await writeFile(tokenFile, `${token}\n`, { mode: 0o600 });

  const url = `https://localhost:${controller.ports.frontDoor}/hello`;
  const answer = await step('a request through the tunnel', async () => {
    const client = new HttpsClient({ connect: { ca: controller.ca.certPem } });
    try {
      const res = await request(url, { dispatcher: client, headers: { 'x-ferry-token': token } });
      const body = (await res.body.json()) as { message: string; headers: Record<string, string> };
      if (res.statusCode !== 200) throw new FerryError('FERRY_ERR_UPSTREAM', `the demo request answered ${res.statusCode}`);
      return body;
    } finally {
      await client.close();
    }
  });
  process.stdout.write(`    → ${answer.message} (via: ${answer.headers.via ?? '?'})\n\n`);

  const ca = join(rel, 'ca.crt');
  process.stdout.write(
    [
      'Try it:',
      `  curl --cacert ${ca} -H "X-Ferry-Token: $(cat ${join(rel, 'demo.token')})" ${url}`,
      `  curl --cacert ${ca} -u ${SERVICE.name}.${AGENT}:$(cat ${join(rel, 'demo.token')}) ${url}`,
      `  curl --cacert ${ca} ${url}                     # no credentials: 401 with a JSON error`,
      `  curl http://127.0.0.1:${controller.ports.metrics}/metrics | grep ferry_`,
      `  curl --cacert ${ca} -u token:$(cat ${join(rel, 'demo.token')}) "https://localhost:${controller.ports.frontDoor}/registry/auth?service=ferry-registry&scope=repository:demo/app:pull"   # a registry token`,
      '',
      `Configs written: ${join(rel, 'controller.yaml')}, ${join(rel, 'agent.yaml')} (see examples/local to run the parts as processes).`,
      'People logging in through your own service (an auth webhook): node examples/webhooks/auth-webhook-server.mjs --once (README: Webhooks).',
      'People logging in with their company identity (OIDC, LDAP): ferry user login TARGET, then kubectl --context TARGET get pods (README: People — kubectl login).',
      `Several controllers on one machine (stop this first): node bin/ferry controller --config ${join(rel, 'controller.yaml')} --workers 2 (README: Running several controllers).`,
      '',
      opts.exit ? 'Stopping (--exit).' : 'Serving until Ctrl-C.',
      '',
    ].join('\n'),
  );
  if (opts.exit) {
    await stopAll();
    return;
  }
  onShutdown(stopAll);
}
