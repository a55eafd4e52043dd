// A secret the agent holds, read from a file, an environment variable or a mounted
// Kubernetes Secret, and re-read when it changes. Projected service-account tokens and
// Secret mounts rotate by swapping a `..data` symlink in their folder, so the folder is
// watched (not the file), and a periodic stat catches what fs.watch misses (NFS, some
// overlay filesystems). The value itself never goes into a message: only where it lives.
import { watch, type FSWatcher } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { SecretSource } from '../config/agent-config.js';

export interface SecretValueOptions {
  /** Says which secret it is in reasons ("jenkins/ci password"). */
  label: string;
  /** Tokens and passwords lose surrounding whitespace; PEM keeps it. */
  trim?: boolean;
  /** Periodic stat in ms (0: no polling). */
  pollMs?: number;
  env?: NodeJS.ProcessEnv;
  /** Called after the value or its availability changed. */
  onChange?: () => void;
}

const READ_ERRORS: Record<string, string> = {
  ENOENT: 'file not found',
  EACCES: 'permission denied',
  EISDIR: 'is a directory, not a file',
  ENOTDIR: 'a folder on the path is not a folder',
};

/** Where a source lives, said without its value. */
export function describeSource(src: SecretSource): string {
  if (src.file !== undefined) return `file ${src.file}`;
  if (src.env !== undefined) return `environment variable ${src.env}`;
  return `secret key ${src.secret!.key} in ${src.secret!.dir}`;
}

function pathOf(src: SecretSource): string | undefined {
  if (src.file !== undefined) return src.file;
  if (src.secret !== undefined) return join(src.secret.dir, src.secret.key);
  return undefined;
}

export class SecretValue {
  private value: string | undefined;
  private problemText: string | undefined = 'not read yet';
  private watcher: FSWatcher | undefined;
  private poll: NodeJS.Timeout | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private fingerprint = '';
  private reading: Promise<void> | undefined;
  private closed = false;
  readonly path: string | undefined;

  constructor(
    readonly source: SecretSource,
    private readonly opts: SecretValueOptions,
  ) {
    this.path = pathOf(source);
  }

  /** First read and start watching; never throws (a missing secret is a health problem). */
  async start(): Promise<void> {
    await this.reload();
    if (this.path === undefined || this.closed) return;
    this.watchFolder();
    const pollMs = this.opts.pollMs ?? 10_000;
    if (pollMs > 0) {
      this.poll = setInterval(() => void this.checkStat(), pollMs);
      this.poll.unref();
    }
  }

  /** Why the secret is unusable, or undefined when it is fine. */
  get problem(): string | undefined {
    return this.problemText;
  }

  /** The current value; callers check `problem` first. */
  get(): string {
    return this.value ?? '';
  }

  /** Re-reads now (SIGHUP, or a change seen). Concurrent calls share one read. */
  reload(): Promise<void> {
    this.reading ??= this.read().finally(() => (this.reading = undefined));
    return this.reading;
  }

  close(): void {
    this.closed = true;
    this.watcher?.close();
    clearInterval(this.poll);
    clearTimeout(this.debounce);
  }

  private async read(): Promise<void> {
    let value: string | undefined;
    let problem: string | undefined;
    const where = `${this.opts.label}: ${describeSource(this.source)}`;
    if (this.source.env !== undefined) {
      const v = (this.opts.env ?? process.env)[this.source.env];
      if (v === undefined || v === '') problem = `${where} is not set`;
      else value = v;
    } else {
      try {
        value = await readFile(this.path!, 'utf8');
        this.fingerprint = await this.statFingerprint();
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? '';
        problem = `${where}: ${READ_ERRORS[code] ?? `unreadable (${code || 'error'})`}`;
        this.fingerprint = 'missing';
      }
    }
    if (value !== undefined && this.opts.trim !== false) value = value.trim();
    if (value !== undefined && value === '' && problem === undefined) problem = `${where} is empty`;
    const changed = value !== this.value || problem !== this.problemText;
    this.value = problem === undefined ? value : undefined;
    this.problemText = problem;
    if (changed && !this.closed) this.opts.onChange?.();
  }

  /** inode, size and mtime of what the path points at now (symlinks followed). */
  private async statFingerprint(): Promise<string> {
    const s = await stat(this.path!);
    return `${s.ino}:${s.size}:${s.mtimeMs}`;
  }

  private async checkStat(): Promise<void> {
    let now: string;
    try {
      now = await this.statFingerprint();
    } catch {
      now = 'missing';
    }
    if (now !== this.fingerprint) await this.reload();
    // The folder may exist now (a late mount): watch it from here on.
    if (!this.watcher && !this.closed && now !== 'missing') this.watchFolder();
  }

  private watchFolder(): void {
    try {
      this.watcher = watch(dirname(this.path!), { persistent: false }, () => this.soon());
      this.watcher.on('error', () => {
        // The folder went away (unmounted): polling still notices when it is back.
        this.watcher?.close();
        this.watcher = undefined;
      });
    } catch {
      // No folder yet: polling covers it.
    }
  }

  /** A symlink swap is several events in a row; read once they settle. */
  private soon(): void {
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => void this.checkStat(), 50);
    this.debounce.unref();
  }
}
