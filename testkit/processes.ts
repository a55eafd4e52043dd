// Starts real ferry processes (bin/ferry, which runs dist/, built by `npm test`'s pretest)
// and waits for the log line that says they are ready. Before the first start it checks
// that dist/ is not older than src/, so a test never passes on stale code.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { HEAP_FLAG, MALLOC_ENV } from '../src/cli/heap-flag.js';
import { assertDistFresh } from './dist-freshness.js';
import { exec } from './exec.js';
import { projectRoot } from './project-root.js';

export const ROOT = projectRoot();
export const FERRY = join(ROOT, 'bin', 'ferry');

let distChecked = false;

function checkDistOnce(): void {
  if (distChecked) return;
  assertDistFresh(ROOT);
  distChecked = true;
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Node flags before bin/ferry; default: the heap flag every launcher passes. */
  nodeArgs?: string[];
}

export interface LogLine {
  msg?: string;
  level?: string | number;
  [key: string]: unknown;
}

export class FerryProcess {
  readonly lines: LogLine[] = [];
  readonly raw: string[] = [];
  private waiters: { match: (l: LogLine) => boolean; resolve: (l: LogLine) => void }[] = [];
  readonly exited: Promise<number | null>;

  constructor(readonly child: ChildProcess) {
    let buf = '';
    const onText = (chunk: Buffer) => {
      buf += chunk.toString('utf8');
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const text = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        this.raw.push(text);
        let line: LogLine;
        try {
          line = JSON.parse(text) as LogLine;
        } catch {
          line = { msg: text };
        }
        this.lines.push(line);
        for (const w of [...this.waiters]) {
          if (w.match(line)) {
            this.waiters.splice(this.waiters.indexOf(w), 1);
            w.resolve(line);
          }
        }
      }
    };
    child.stderr?.on('data', onText);
    child.stdout?.on('data', onText);
    this.exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  }

  waitFor(match: (l: LogLine) => boolean, timeoutMs = 15_000): Promise<LogLine> {
    const seen = this.lines.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`timed out waiting for a log line; last lines:\n${this.raw.slice(-10).join('\n')}`)), timeoutMs);
      this.waiters.push({
        match,
        resolve: (l) => {
          clearTimeout(t);
          resolve(l);
        },
      });
    });
  }

  waitForMsg(msg: string, timeoutMs?: number): Promise<LogLine> {
    return this.waitFor((l) => l.msg === msg, timeoutMs);
  }

  count(msg: string): number {
    return this.lines.filter((l) => l.msg === msg).length;
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exited;
  }
}

/** Runs bin/ferry the way its launchers do (with the heap flag and glibc's malloc settings; the caller's environment wins). */
export function runFerry(args: string[], opts: RunOptions = {}): FerryProcess {
  checkDistOnce();
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? [HEAP_FLAG]), FERRY, ...args], {
    cwd: opts.cwd ?? ROOT,
    env: { ...MALLOC_ENV, ...process.env, FERRY_LOG_PRETTY: '0', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new FerryProcess(child);
}

/** Runs a ferry command to completion and returns its exit code and output. */
export function ferryOnce(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  checkDistOnce();
  return exec(process.execPath, [HEAP_FLAG, FERRY, ...args], { cwd: opts.cwd ?? ROOT, env: { ...MALLOC_ENV, ...process.env, ...opts.env } });
}
