// The machine a run measured: cores, memory, node, tool versions.
import { cpus } from 'node:os';
import { exec } from '../../testkit/exec.js';

async function firstLine(cmd: string, args: string[]): Promise<string> {
  try {
    const r = await exec(cmd, args);
    return (r.stdout || r.stderr).trim().split('\n')[0] ?? '';
  } catch {
    return 'not installed';
  }
}

export async function machineDescription(): Promise<string> {
  const nproc = (await firstLine('nproc', [])) || String(cpus().length);
  const free = (await exec('free', ['-h'])).stdout.trim();
  return [
    `Machine: ${nproc} cores (\`nproc\`), ${cpus()[0]?.model ?? 'unknown CPU'}; node ${process.version};`,
    `${await firstLine('nginx', ['-v'])}; ${await firstLine('ssh', ['-V'])}; ${await firstLine('curl', ['--version'])}.`,
    '',
    '```',
    '$ free -h',
    free,
    '```',
  ].join('\n');
}
