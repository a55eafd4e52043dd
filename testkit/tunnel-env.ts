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

export async function startTunnelEnv(controllerExtra: Record<string, unknown> = {}): Promise<TunnelEnv> {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-test-'));
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
      shutdown: { grace: '5s' },
      ...controllerExtra,
    }),
  );
  const controller = runFerry(['controller', '--config', join(dir, 'controller.yaml')]);
  const started = await controller.waitForMsg('controller started');
  const ports = {
    agents: Number(started.agents),
    frontDoor: Number(started.frontDoor),
    metrics: Number(started.metrics),
  };
  const agents: FerryProcess[] = [];
  let keys: TokenKeyStore | undefined;

  return {
    dir,
    ca,
    controller,
    ports,
    frontDoorUrl: `https://127.0.0.1:${ports.frontDoor}`,
    async startAgent(name, services, extra = {}) {
      const issued = await ca.issueClient({ kind: 'agent', agent: name });
      const files = await writePem(dir, `agent-${name}-${agents.length}`, issued.certPem, issued.keyPem);
      const file = join(dir, `agent-${name}-${agents.length}.yaml`);
      await writeFile(
        file,
        stringify({
          controller: { address: `127.0.0.1:${ports.agents}`, serverName: 'localhost' },
          tls: { cert: files.cert, key: files.key, ca: join(dir, 'ca.crt') },
          services,
          shutdown: { grace: '5s' },
          ...extra,
        }),
      );
      const agent = runFerry(['agent', '--config', file]);
      agents.push(agent);
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
      await Promise.all(agents.map((a) => a.stop('SIGKILL')));
      await controller.stop('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    },
  };
}
