// A lock across the kubectl processes of one user: held for a whole login (a browser login
// takes minutes), so five kubectl runs on an empty cache make one login, not five. The lock
// file lives in the user's own cache folder (not a shared /tmp, where another user's file
// blocked everyone: kubelogin #627). A holder that died is detected by its pid.
import { open, readFile, stat, unlink } from 'node:fs/promises';
import { FerryError, messageOf } from '../../errors.js';

export interface LoginLockOptions {
  /** Give up waiting after this long (default 5 minutes: a person may be typing a password). */
  waitMs?: number;
  /** A lock older than this is taken over even if its pid lives (default 10 minutes). */
  staleMs?: number;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function holderGone(file: string, staleMs: number): Promise<boolean> {
  const [text, info] = await Promise.all([readFile(file, 'utf8').catch(() => undefined), stat(file).catch(() => undefined)]);
  if (!info) return false; // released meanwhile: just try again
  if (Date.now() - info.mtimeMs > staleMs) return true;
  const pid = Number(text?.split(' ')[0]);
  // A file still empty is being written by its creator.
  return Number.isInteger(pid) && pid > 0 && !alive(pid);
}

export async function withLoginLock<T>(file: string, job: () => Promise<T>, opts: LoginLockOptions = {}): Promise<T> {
  const waitMs = opts.waitMs ?? 300_000;
  const staleMs = opts.staleMs ?? 600_000;
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(file, 'wx', 0o600);
      await handle.writeFile(`${process.pid} ${new Date().toISOString()}\n`);
      await handle.close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new FerryError('FERRY_ERR_IO', `cannot create lock file ${file}: ${messageOf(err)}`);
    }
    if (await holderGone(file, staleMs)) {
      await unlink(file).catch(() => undefined);
      continue;
    }
    if (Date.now() - started > waitMs) throw new FerryError('FERRY_ERR_IO', `another login holds ${file}; remove it if no login is running`);
    await new Promise((r) => setTimeout(r, Math.min(10 + attempt * 5, 100) + Math.random() * 10));
  }
  try {
    return await job();
  } finally {
    await unlink(file).catch(() => undefined);
  }
}
