// One lock across processes: a lock file created with O_EXCL ('wx'), which the file system
// grants to exactly one creator. A holder that died leaves the file behind: one older than
// `staleMs` is taken over, and with `checkHolderPid` so is one whose writer's pid is gone.
import { open, readFile, stat, unlink } from 'node:fs/promises';
import { FerryError, messageOf } from '../errors.js';

export interface LockFileOptions {
  /** Give up waiting after this long. */
  waitMs: number;
  /** A lock file older than this is taken over. */
  staleMs: number;
  /** Take over a lock whose holder's pid no longer runs (same machine only). */
  checkHolderPid?: boolean;
  /** The error message when waiting gives up. */
  busyMessage: string;
  /** The wait before the next try (short random waits: contenders do not retry in lockstep). */
  pauseMs: (attempt: number) => number;
}

export async function withLockFile<T>(file: string, job: () => Promise<T>, opts: LockFileOptions): Promise<T> {
  await acquire(file, opts);
  try {
    return await job();
  } finally {
    await unlink(file).catch(() => undefined);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function holderGone(file: string, opts: LockFileOptions): Promise<boolean> {
  const [text, info] = await Promise.all([opts.checkHolderPid ? readFile(file, 'utf8').catch(() => undefined) : undefined, stat(file).catch(() => undefined)]);
  if (!info) return false; // released meanwhile: just try again
  if (Date.now() - info.mtimeMs > opts.staleMs) return true;
  if (!opts.checkHolderPid) return false;
  const pid = Number(text?.split(' ')[0]);
  // A file still empty is being written by its creator.
  return Number.isInteger(pid) && pid > 0 && !alive(pid);
}

async function acquire(file: string, opts: LockFileOptions): Promise<void> {
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(file, 'wx', 0o600);
      await handle.writeFile(`${process.pid} ${new Date().toISOString()}\n`);
      await handle.close();
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new FerryError('FERRY_ERR_IO', `cannot create lock file ${file}: ${messageOf(err)}`, { cause: err });
      }
    }
    if (await holderGone(file, opts)) {
      await unlink(file).catch(() => undefined);
      continue;
    }
    if (Date.now() - started > opts.waitMs) throw new FerryError('FERRY_ERR_IO', opts.busyMessage);
    await new Promise((resolve) => setTimeout(resolve, opts.pauseMs(attempt)));
  }
}
