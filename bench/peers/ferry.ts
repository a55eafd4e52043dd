// ferry as users run it: a controller process and agent processes (bin/ferry, built by
// tsc), clients through the HTTPS front door with a service JWT in X-Ferry-Token.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { createCA, type CertificateAuthority } from '../../src/pki/index.js';
import { serviceAudience, TokenIssuer, TokenKeyStore } from '../../src/tokens/index.js';
import { freePort } from '../../testkit/net.js';
import { runFerry as runKitFerry, type FerryProcess } from '../../testkit/processes.js';

export const SERVICE_TYPE = 'x-bench';

export interface AgentHandle {
  name: string;
  configFile: string;
  metricsPort: number;
  process: FerryProcess;
}

export interface FerryInstallation {
  dir: string;
  ca: CertificateAuthority;
  controller: FerryProcess;
  ports: { agents: number; frontDoor: number; metrics: number };
  frontDoorUrl: string;
  /** Starts an agent offering `services` (name → upstream URL); `address` overrides the controller address (a relay). */
  startAgent(name: string, services: Record<string, string>, address?: string): Promise<AgentHandle>;
  /** Starts the agent process of an existing config again (after a kill). */
  restartAgent(agent: AgentHandle): FerryProcess;
  token(agent: string, service: string): Promise<string>;
  close(): Promise<void>;
}

export function runFerry(args: string[]): FerryProcess {
  // BENCH_CPU_PROF=DIR profiles controller and agent (written when they stop gracefully);
  // BENCH_NODE_ARGS passes V8/node flags NODE_OPTIONS refuses (e.g. --trace-gc).
  const prof = process.env['BENCH_CPU_PROF'];
  const node = ['--initial-old-space-size=64']; // as bin/ferry's shebang (users' launch)
  if (prof) node.push('--cpu-prof', `--cpu-prof-dir=${prof}`);
  node.push(...(process.env['BENCH_NODE_ARGS'] ?? '').split(' ').filter(Boolean));
  return runKitFerry(args, { nodeArgs: node });
}

export async function startFerry(): Promise<FerryInstallation> {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-bench-'));
  const ca = await createCA();
  await writeFile(join(dir, 'ca.crt'), ca.certPem);
  await writeFile(join(dir, 'ca.key'), ca.keyPem, { mode: 0o600 });
  await writeFile(
    join(dir, 'controller.yaml'),
    stringify({
      ca: { cert: 'ca.crt', key: 'ca.key' },
      agents: { listen: '127.0.0.1:0' },
      frontDoor: { listen: '127.0.0.1:0' },
      control: { listen: '127.0.0.1:0' },
      metrics: { listen: '127.0.0.1:0' },
      shutdown: { grace: '2s' },
    }),
  );
  const controller = runFerry(['controller', '--config', join(dir, 'controller.yaml')]);
  let started;
  try {
    started = await controller.waitForMsg('controller started');
  } catch (err) {
    await controller.stop('SIGKILL');
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  const ports = { agents: Number(started['agents']), frontDoor: Number(started['frontDoor']), metrics: Number(started['metrics']) };
  const processes: FerryProcess[] = [controller];
  let keys: TokenKeyStore | undefined;

  return {
    dir,
    ca,
    controller,
    ports,
    frontDoorUrl: `https://127.0.0.1:${ports.frontDoor}`,
    async startAgent(name, services, address) {
      const issued = await ca.issueClient({ kind: 'agent', agent: name });
      await writeFile(join(dir, `agent-${name}.crt`), issued.certPem);
      await writeFile(join(dir, `agent-${name}.key`), issued.keyPem, { mode: 0o600 });
      const metricsPort = await freePort();
      const configFile = join(dir, `agent-${name}.yaml`);
      await writeFile(
        configFile,
        stringify({
          controller: { address: address ?? `127.0.0.1:${ports.agents}`, serverName: 'localhost' },
          tls: { cert: `agent-${name}.crt`, key: `agent-${name}.key`, ca: 'ca.crt' },
          services: Object.entries(services).map(([svc, url]) => ({ type: SERVICE_TYPE, name: svc, url })),
          metrics: { listen: `127.0.0.1:${metricsPort}` },
          shutdown: { grace: '2s' },
        }),
      );
      const agent = runFerry(['agent', '--config', configFile]);
      processes.push(agent);
      await agent.waitForMsg('connected to controller');
      return { name, configFile, metricsPort, process: agent };
    },
    restartAgent(agent) {
      const p = runFerry(['agent', '--config', agent.configFile]);
      processes.push(p);
      agent.process = p;
      return p;
    },
    async token(agent, service) {
      keys ??= await TokenKeyStore.open(join(dir, 'state', 'token-keys'), { issuer: `ferry:${ca.trustDomain}`, createIfEmpty: false });
      const issued = await new TokenIssuer(keys).issue({
        purpose: 'service',
        sub: `${service}.${agent}`,
        aud: serviceAudience(agent, SERVICE_TYPE, service),
        agent,
        type: SERVICE_TYPE,
        name: service,
        ttlSeconds: 24 * 3600,
      });
      return issued.token;
    },
    async close() {
      // A graceful stop lets --cpu-prof write its profile.
      await Promise.all(processes.map((p) => p.stop(process.env['BENCH_CPU_PROF'] ? 'SIGTERM' : 'SIGKILL')));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
