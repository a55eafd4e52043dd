// ssh -R as users run it: an sshd on a loopback port (run as the current user, with its own
// host key and authorized user key in a temp dir) and an ssh client that forwards two
// remote ports back to the upstreams. Default ciphers.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { execOk } from '../../testkit/exec.js';
import { freePort, waitForPort } from '../../testkit/net.js';

export interface SshTunnel {
  filesPort: number;
  nodePort: number;
  sshdPort: number;
  sshd: ChildProcess;
  client: ChildProcess;
  stop(): Promise<void>;
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.on('exit', () => r())));
}

export async function startSshd(dir: string): Promise<{ port: number; child: ChildProcess; userKey: string }> {
  const d = join(dir, 'ssh');
  await mkdir(d, { recursive: true, mode: 0o700 });
  await mkdir('/run/sshd', { recursive: true }); // sshd's privilege-separation dir when run as root
  await execOk('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(d, 'host_key')]);
  await execOk('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(d, 'user_key')]);
  await execOk('cp', [join(d, 'user_key.pub'), join(d, 'authorized_keys')]);
  const port = await freePort();
  await writeFile(
    join(d, 'sshd_config'),
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${join(d, 'host_key')}`,
      `AuthorizedKeysFile ${join(d, 'authorized_keys')}`,
      `PidFile ${join(d, 'sshd.pid')}`,
      'StrictModes no',
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'AllowTcpForwarding yes',
      'MaxStartups 100',
      'LogLevel ERROR',
      '',
    ].join('\n'),
  );
  // Its stderr is dropped: every port probe logs a harmless kex_exchange_identification line.
  const child = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', join(d, 'sshd_config')], { stdio: ['ignore', 'ignore', 'ignore'] });
  await waitForPort(port, 'sshd');
  return { port, child, userKey: join(d, 'user_key') };
}

/** ssh -R through sshd at `via` (sshd's port, or a relay in front of it). */
export async function startSshTunnel(
  sshd: { port: number; child: ChildProcess; userKey: string },
  upstreamFiles: number,
  upstreamNode: number,
  via = sshd.port,
  ports?: { filesPort: number; nodePort: number },
): Promise<SshTunnel> {
  const filesPort = ports?.filesPort ?? (await freePort());
  const nodePort = ports?.nodePort ?? (await freePort());
  const client = spawn(
    'ssh',
    [
      '-N',
      '-o', 'BatchMode=yes',
      '-o', 'StrictHostKeyChecking=no',
      '-o', 'UserKnownHostsFile=/dev/null',
      '-o', 'ExitOnForwardFailure=yes',
      '-o', 'LogLevel=ERROR',
      '-i', sshd.userKey,
      '-p', String(via),
      '-R', `127.0.0.1:${filesPort}:127.0.0.1:${upstreamFiles}`,
      '-R', `127.0.0.1:${nodePort}:127.0.0.1:${upstreamNode}`,
      `${userInfo().username}@127.0.0.1`,
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const ready = waitForPort(filesPort, 'ssh -R').then(() => waitForPort(nodePort, 'ssh -R'));
  await Promise.race([ready, exited(client).then(() => Promise.reject(new Error(`ssh -R exited with ${client.exitCode}`)))]);
  return {
    filesPort,
    nodePort,
    sshdPort: sshd.port,
    sshd: sshd.child,
    client,
    async stop() {
      client.kill('SIGTERM');
      await exited(client);
    },
  };
}
