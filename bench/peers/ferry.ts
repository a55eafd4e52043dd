// ferry as users run it: a controller process and agent processes (bin/ferry, built by
// tsc), clients through the HTTPS front door with a service JWT in X-Ferry-Token.
import type { CertificateAuthority } from '../../src/pki/index.js';
import { freePort } from '../../testkit/net.js';
import type { FerryProcess } from '../../testkit/processes.js';
import { startTunnelEnv } from '../../testkit/tunnel-env.js';

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

/** node flags for bench processes: BENCH_CPU_PROF=DIR profiles controller and agent (written
 *  when they stop gracefully); BENCH_NODE_ARGS passes V8/node flags NODE_OPTIONS refuses. */
function benchNodeArgs(): string[] {
  const prof = process.env['BENCH_CPU_PROF'];
  const node = ['--initial-old-space-size=64']; // as bin/ferry's shebang (users' launch)
  if (prof) node.push('--cpu-prof', `--cpu-prof-dir=${prof}`);
  node.push(...(process.env['BENCH_NODE_ARGS'] ?? '').split(' ').filter(Boolean));
  return node;
}


export async function startFerry(): Promise<FerryInstallation> {
  // A graceful stop lets --cpu-prof write its profile.
  // Every bench client connects from 127.0.0.1: the per-address cap (256 by default, a
  // guard against one client holding the front door) would refuse the cancel storm's 1,000.
  const frontDoor = { listen: '127.0.0.1:0', limits: { maxConnectionsPerAddress: 10_000 } };
  const env = await startTunnelEnv({ frontDoor }, { nodeArgs: benchNodeArgs(), grace: '2s', stopSignal: process.env['BENCH_CPU_PROF'] ? 'SIGTERM' : 'SIGKILL' });
  return {
    dir: env.dir,
    ca: env.ca,
    controller: env.controller,
    ports: env.ports,
    frontDoorUrl: env.frontDoorUrl,
    async startAgent(name, services, address) {
      const metricsPort = await freePort();
      const configFile = await env.agentConfig(
        name,
        Object.entries(services).map(([svc, url]) => ({ type: SERVICE_TYPE, name: svc, url })),
        { metrics: { listen: `127.0.0.1:${metricsPort}` }, ...(address ? { controller: { address, serverName: 'localhost' } } : {}) },
      );
      const agent = env.runAgent(configFile);
      await agent.waitForMsg('connected to controller');
      return { name, configFile, metricsPort, process: agent };
    },
    restartAgent(agent) {
      agent.process = env.runAgent(agent.configFile);
      return agent.process;
    },
    token: (agent, service) => env.token(agent, SERVICE_TYPE, service, { ttlSeconds: 24 * 3600 }),
    close: () => env.close(),
  };
}
