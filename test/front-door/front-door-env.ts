// An in-process controller for the front-door pipeline tests, started with modules'
// options (authenticators, route resolvers, policies, local handlers, control routes),
// and a real agent process in front of a real upstream.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { stringify } from 'yaml';
import { loadControllerConfig } from '../../src/api/controller.js';
import { startController, type Controller, type ControllerOptions } from '../../src/controller/controller.js';
import { createLogger } from '../../src/observability/logger.js';
import { createCA, type CertificateAuthority } from '../../src/pki/index.js';
import { controlAudience, serviceAudience } from '../../src/tokens/index.js';
import { runFerry, type FerryProcess } from '../../testkit/processes.js';

export interface FrontDoorEnv {
  dir: string;
  ca: CertificateAuthority;
  controller: Controller;
  frontDoorUrl: string;
  controlUrl: string;
  startAgent(name: string, services: Record<string, unknown>[]): Promise<FerryProcess>;
  /** PEM files of a client certificate. */
  clientCert(identity: Parameters<CertificateAuthority['issueClient']>[0], file: string): Promise<{ cert: string; key: string }>;
  serviceToken(agent: string, type: string, name: string): Promise<string>;
  controlToken(): Promise<string>;
  close(): Promise<void>;
}

const quiet = new Writable({ write: (_chunk, _enc, done) => done() });

export async function startFrontDoorEnv(options: ControllerOptions): Promise<FrontDoorEnv> {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-frontdoor-'));
  const ca = await createCA();
  await writeFile(join(dir, 'ca.crt'), ca.certPem);
  await writeFile(join(dir, 'ca.key'), ca.keyPem, { mode: 0o600 });
  const listen = '127.0.0.1:0';
  const file = join(dir, 'controller.yaml');
  await writeFile(file, stringify({ ca: { cert: 'ca.crt', key: 'ca.key' }, agents: { listen }, frontDoor: { listen }, control: { listen }, metrics: { listen } }));
  const controller = await startController(await loadControllerConfig(file, {}), { logger: createLogger({ name: 'test', pretty: false, destination: quiet }), ...options });
  const agents: FerryProcess[] = [];
  const clientCert: FrontDoorEnv['clientCert'] = async (identity, name) => {
    const issued = await ca.issueClient(identity);
    const cert = join(dir, `${name}.crt`);
    const key = join(dir, `${name}.key`);
    await writeFile(cert, issued.certPem);
    await writeFile(key, issued.keyPem, { mode: 0o600 });
    return { cert, key };
  };
  return {
    dir,
    ca,
    controller,
    frontDoorUrl: `https://127.0.0.1:${controller.ports.frontDoor}`,
    controlUrl: `https://127.0.0.1:${controller.ports.control}`,
    clientCert,
    async startAgent(name, services) {
      const files = await clientCert({ kind: 'agent', agent: name }, `agent-${name}`);
      const config = join(dir, `agent-${name}.yaml`);
      await writeFile(
        config,
        stringify({
          controller: { address: `127.0.0.1:${controller.ports.agents}`, serverName: 'localhost' },
          tls: { ...files, ca: join(dir, 'ca.crt') },
          services,
          shutdown: { grace: '2s' },
        }),
      );
      const agent = runFerry(['agent', '--config', config]);
      agents.push(agent);
      await agent.waitForMsg('connected to controller');
      return agent;
    },
    async serviceToken(agent, type, name) {
      const aud = serviceAudience(agent, type, name);
      return (await controller.issuer.issue({ purpose: 'service', sub: `${name}.${agent}`, aud, agent, type, name, ttlSeconds: 300 })).token;
    },
    async controlToken() {
      return (await controller.issuer.issue({ purpose: 'control', sub: 'operator', aud: controlAudience(), ttlSeconds: 300 })).token;
    },
    async close() {
      await Promise.all(agents.map((a) => a.stop('SIGKILL')));
      await controller.stop(1_000);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
