// A whole ferry installation in a temp dir: CA on disk, a controller process, agent
// processes, and credentials for clients (service certificates, JWTs).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { createCA, type CertificateAuthority } from '../src/pki/index.js';
import { serviceAudience, TokenIssuer, TokenKeyStore } from '../src/tokens/index.js';
import { runFerry, type FerryProcess } from './processes.js';

export interface ServiceSpec {
  type: string;
  name: string;
  url: string;
  [key: string]: unknown;
}

export interface TunnelEnv {
  dir: string;
  ca: CertificateAuthority;
  controller: FerryProcess;
  ports: { agents: number; frontDoor: number; metrics: number };
  frontDoorUrl: string;
  /** Writes an agent's certificate and config (services, then `extra` over the defaults); returns the config file. */
  agentConfig(name: string, services: ServiceSpec[], extra?: Record<string, unknown>): Promise<string>;
  /** Starts an agent process from a config file (again, after a kill); close() stops it. */
  runAgent(configFile: string): FerryProcess;
  /** agentConfig + runAgent, resolved once the agent is connected. */
  startAgent(name: string, services: ServiceSpec[], extra?: Record<string, unknown>): Promise<FerryProcess>;
  serviceCert(agent: string, type: string, name: string): Promise<{ cert: string; key: string }>;
  token(agent: string, type: string, name: string, opts?: { ttlSeconds?: number; sub?: string; groups?: string[] }): Promise<string>;
  close(): Promise<void>;
}

async function writePem(dir: string, name: string, certPem: string, keyPem: string): Promise<{ cert: string; key: string }> {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  await writeFile(cert, certPem);
  await writeFile(key, keyPem, { mode: 0o600 });
  return { cert, key };
}

export interface TunnelEnvOptions {
  /** node flags for every ferry process (default: the heap flag, as bin/ferry runs). */
  nodeArgs?: string[];
  /** shutdown.grace of the controller and the agents (default 5s). */
  grace?: string;
  /** How close() stops the processes (SIGTERM lets --cpu-prof write its profile). */
  stopSignal?: NodeJS.Signals;
  /** The CA to install (default: a new one), when a test issued certificates from it first. */
  ca?: CertificateAuthority;
}

export async function startTunnelEnv(controllerExtra: Record<string, unknown> = {}, options: TunnelEnvOptions = {}): Promise<TunnelEnv> {
  const grace = options.grace ?? '5s';
  const run = (args: string[]) => runFerry(args, { nodeArgs: options.nodeArgs });
  const dir = await mkdtemp(join(tmpdir(), 'ferry-test-'));
  const ca = options.ca ?? (await createCA());
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
      shutdown: { grace },
      ...controllerExtra,
    }),
  );
  const controller = run(['controller', '--config', join(dir, 'controller.yaml')]);
  let started;
  try {
    started = await controller.waitForMsg('controller started');
  } catch (err) {
    await controller.stop('SIGKILL');
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  const ports = {
    agents: Number(started.agents),
    frontDoor: Number(started.frontDoor),
    metrics: Number(started.metrics),
  };
  const agents: FerryProcess[] = [];
  let keys: TokenKeyStore | undefined;
  const runAgent = (configFile: string) => {
    const agent = run(['agent', '--config', configFile]);
    agents.push(agent);
    return agent;
  };
  const agentConfig = async (name: string, services: ServiceSpec[], extra: Record<string, unknown> = {}) => {
    const issued = await ca.issueClient({ kind: 'agent', agent: name });
    const files = await writePem(dir, `agent-${name}-${agents.length}`, issued.certPem, issued.keyPem);
    const file = join(dir, `agent-${name}-${agents.length}.yaml`);
    await writeFile(
      file,
      stringify({
        controller: { address: `127.0.0.1:${ports.agents}`, serverName: 'localhost' },
        tls: { cert: files.cert, key: files.key, ca: join(dir, 'ca.crt') },
        services,
        shutdown: { grace },
        ...extra,
      }),
    );
    return file;
  };

  return {
    dir,
    ca,
    controller,
    ports,
    frontDoorUrl: `https://127.0.0.1:${ports.frontDoor}`,
    agentConfig,
    runAgent,
    async startAgent(name, services, extra = {}) {
      const agent = runAgent(await agentConfig(name, services, extra));
      await agent.waitForMsg('connected to controller');
      return agent;
    },
    async serviceCert(agent, type, name) {
      const issued = await ca.issueClient({ kind: 'service', agent, type, name });
      return writePem(dir, `svc-${agent}-${type}-${name}`, issued.certPem, issued.keyPem);
    },
    async token(agent, type, name, opts = {}) {
      keys ??= await TokenKeyStore.open(join(dir, 'state', 'token-keys'), { issuer: `ferry:${ca.trustDomain}`, createIfEmpty: false });
      const issued = await new TokenIssuer(keys).issue({
        purpose: 'service',
        sub: opts.sub ?? `${name}.${agent}`,
        aud: serviceAudience(agent, type, name),
        agent,
        type,
        name,
        groups: opts.groups,
        ttlSeconds: opts.ttlSeconds ?? 600,
      });
      return issued.token;
    },
    async close() {
      const signal = options.stopSignal ?? 'SIGKILL';
      await Promise.all(agents.map((a) => a.stop(signal)));
      await controller.stop(signal);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
