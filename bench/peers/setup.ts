// Starts the whole bench world on 127.0.0.1: the two upstreams, the nginx HTTPS proxy,
// sshd + ssh -R, and ferry (controller + agent), and describes the four paths.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFerry, type AgentHandle, type FerryInstallation } from './ferry.js';
import { writeFiles } from './files.js';
import { startFilesUpstream, startHttpsProxy, type NginxProcess } from './nginx.js';
import { startNodeUpstream, type NodeUpstream } from './node-upstream.js';
import type { BenchPath } from './path.js';
import { startSshd, startSshTunnel, type SshTunnel } from './ssh.js';

export interface World {
  dir: string;
  filesUpstream: NginxProcess;
  nodeUpstream: NodeUpstream;
  proxy: NginxProcess;
  sshd: Awaited<ReturnType<typeof startSshd>>;
  ssh: SshTunnel;
  ferry: FerryInstallation;
  agent: AgentHandle;
  paths: BenchPath[];
  /** Registers something a scenario started, to stop with the world. */
  onClose(stop: () => Promise<void> | void): void;
  close(): Promise<void>;
}

export const AGENT = 'bench';

export async function startWorld(): Promise<World> {
  // Everything started so far is stopped (last first) if a later step fails or on close().
  const stops: (() => Promise<void> | void)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await Promise.resolve(stop()).catch(() => undefined);
    stops.length = 0;
  };
  try {
    const dir = await mkdtemp(join(tmpdir(), 'ferry-bench-world-'));
    stops.push(() => rm(dir, { recursive: true, force: true }));
    const www = join(dir, 'www');
    await mkdir(www);
    await writeFiles(www);
    const filesUpstream = await startFilesUpstream(dir, www);
    stops.push(() => filesUpstream.stop());
    const nodeUpstream = await startNodeUpstream();
    stops.push(() => nodeUpstream.close());
    const ferry = await startFerry();
    stops.push(() => ferry.close());
    const proxyCert = await ferry.ca.issueServer({ dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
    await writeFile(join(dir, 'proxy.crt'), proxyCert.certPem);
    await writeFile(join(dir, 'proxy.key'), proxyCert.keyPem, { mode: 0o600 });
    const proxy = await startHttpsProxy(dir, join(dir, 'proxy.crt'), join(dir, 'proxy.key'), filesUpstream.port, nodeUpstream.port);
    stops.push(() => proxy.stop());
    const sshd = await startSshd(dir);
    stops.push(() => void sshd.child.kill('SIGTERM'));
    const ssh = await startSshTunnel(sshd, filesUpstream.port, nodeUpstream.port);
    stops.push(() => ssh.stop());
    const agent = await ferry.startAgent(AGENT, {
      files: `http://127.0.0.1:${filesUpstream.port}`,
      node: `http://127.0.0.1:${nodeUpstream.port}`,
    });
    const filesToken = { 'X-Ferry-Token': await ferry.token(AGENT, 'files') };
    const nodeToken = { 'X-Ferry-Token': await ferry.token(AGENT, 'node') };
    const http = (port: number) => ({ base: `http://127.0.0.1:${port}`, headers: {} });
    const paths: BenchPath[] = [
      { name: 'direct', files: http(filesUpstream.port), node: http(nodeUpstream.port) },
      {
        name: 'nginx',
        files: { base: `https://127.0.0.1:${proxy.ports[0]!}`, headers: {} },
        node: { base: `https://127.0.0.1:${proxy.ports[1]!}`, headers: {} },
      },
      { name: 'ssh -R', files: http(ssh.filesPort), node: http(ssh.nodePort) },
      {
        name: 'ferry',
        files: { base: ferry.frontDoorUrl, headers: filesToken },
        node: { base: ferry.frontDoorUrl, headers: nodeToken },
      },
    ];
    return { dir, filesUpstream, nodeUpstream, proxy, sshd, ssh, ferry, agent, paths, onClose: (stop) => stops.push(stop), close: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
