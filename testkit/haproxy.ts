// A real HAProxy (Debian's) in TCP mode in front of controller replicas: one address for
// agents, one for clients, round robin, health checks every 300 ms so a killed replica
// leaves the rotation at once and a started one joins it. Backends are declared up front
// (a replica not started yet is simply down), so adding one needs no HAProxy reload.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForPort } from './net.js';

export interface HaproxyBackend {
  name: string;
  agentsPort: number;
  frontDoorPort: number;
}

export interface Haproxy {
  agentsPort: number;
  clientsPort: number;
  stop(): Promise<void>;
}

export async function startHaproxy(backends: HaproxyBackend[]): Promise<Haproxy> {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-haproxy-'));
  const agentsPort = await freePort();
  const clientsPort = await freePort();
  const servers = (port: (b: HaproxyBackend) => number) =>
    backends.map((b) => `  server ${b.name} 127.0.0.1:${port(b)} check inter 300ms fall 1 rise 1`).join('\n');
  const config = `global
  maxconn 4096
defaults
  mode tcp
  timeout connect 2s
  timeout client 1h
  timeout server 1h
  option redispatch
  retries 2
frontend agents
  bind 127.0.0.1:${agentsPort}
  default_backend agents
backend agents
  balance roundrobin
${servers((b) => b.agentsPort)}
frontend clients
  bind 127.0.0.1:${clientsPort}
  default_backend clients
backend clients
  balance roundrobin
${servers((b) => b.frontDoorPort)}
`;
  const file = join(dir, 'haproxy.cfg');
  await writeFile(file, config);
  const child: ChildProcess = spawn('haproxy', ['-db', '-f', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await Promise.race([waitForPort(clientsPort, 'haproxy'), exited.then(() => Promise.reject(new Error(`haproxy exited: ${stderr.slice(-500)}`)))]);
    await waitForPort(agentsPort, 'haproxy');
  } catch (err) {
    child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    agentsPort,
    clientsPort,
    async stop() {
      child.kill('SIGKILL');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
