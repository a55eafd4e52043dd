// A real docker registry (Debian's docker-registry, distribution 2.8) on a free loopback
// port with a temp config and storage: token auth against a realm and a root bundle.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { freePort, waitForPort } from './net.js';

export interface DockerRegistry {
  port: number;
  url: string;
  dir: string;
  /** What the registry printed (its log), for failure messages. */
  output(): string;
  close(): Promise<void>;
}

export interface RegistryAuth {
  realm: string;
  service: string;
  issuer: string;
  /** PEM file of the certificates token chains must end in (ferry's CA). */
  rootCertBundle: string;
}

export async function startDockerRegistry(auth: RegistryAuth): Promise<DockerRegistry> {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-registry-'));
  const port = await freePort();
  await writeFile(
    join(dir, 'config.yml'),
    stringify({
      version: 0.1,
      log: { level: 'info', accesslog: { disabled: true } },
      storage: { filesystem: { rootdirectory: join(dir, 'data') }, delete: { enabled: true } },
      // Relative Location headers: behind ferry the registry's own address means nothing to clients.
      http: { addr: `127.0.0.1:${port}`, secret: 'ferry-test-registry', relativeurls: true },
      auth: { token: { realm: auth.realm, service: auth.service, issuer: auth.issuer, rootcertbundle: auth.rootCertBundle } },
    }),
  );
  let text = '';
  const child: ChildProcess = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (b: Buffer) => (text = (text + b.toString()).slice(-20_000)));
  child.stderr?.on('data', (b: Buffer) => (text = (text + b.toString()).slice(-20_000)));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  try {
    await waitForPort(port, 'docker-registry');
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`${(err as Error).message}\n${text}`, { cause: err });
  }
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    dir,
    output: () => text,
    async close() {
      child.kill('SIGTERM');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
