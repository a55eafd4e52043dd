// Starts the node upstream process (uploads counted, endless and idle streams whose close
// times it records) and reads its state over HTTP.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface UpstreamState {
  open: number;
  started: string[];
  /** id → wall-clock ms when the upstream saw the close. */
  closed: Record<string, number>;
}

export interface NodeUpstream {
  port: number;
  child: ChildProcess;
  state(prefix?: string): Promise<UpstreamState>;
  close(): Promise<void>;
}

export async function startNodeUpstream(): Promise<NodeUpstream> {
  const main = fileURLToPath(new URL('./node-upstream-main.js', import.meta.url));
  const child = spawn(process.execPath, [main], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
    child.once('exit', (code) => reject(new Error(`node upstream exited ${code}`)));
  });
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  return {
    port,
    child,
    async state(prefix = '') {
      const res = await fetch(`http://127.0.0.1:${port}/_bench/state?prefix=${encodeURIComponent(prefix)}`);
      return (await res.json()) as UpstreamState;
    },
    async close() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}
