// A lock shared by every process using one state folder: a lock file created with O_EXCL
// ('wx'), which the file system grants to exactly one creator. It guards each
// read-modify-write, so compare-and-set is atomic across processes. A holder that crashed
// leaves the file behind; one older than STALE_MS is taken over (writes take milliseconds).
import { open, stat, unlink } from 'node:fs/promises';
import { FerryError, messageOf } from '../errors.js';

const STALE_MS = 10_000;
const GIVE_UP_MS = 15_000;

export async function withFileLock<T>(lockFile: string, job: () => Promise<T>): Promise<T> {
  await acquire(lockFile);
  try {
    return await job();
  } finally {
    await unlink(lockFile).catch(() => undefined);
  }
}

async function acquire(lockFile: string): Promise<void> {
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(lockFile, 'wx', 0o600);
      await handle.writeFile(`${process.pid} ${new Date().toISOString()}\n`);
      await handle.close();
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new FerryError('FERRY_ERR_IO', `cannot create lock file ${lockFile}: ${messageOf(err)}`, { cause: err });
      }
    }
    const held = await stat(lockFile).catch(() => undefined);
    if (held && Date.now() - held.mtimeMs > STALE_MS) {
      await unlink(lockFile).catch(() => undefined);
      continue;
    }
    if (Date.now() - started > GIVE_UP_MS) {
      throw new FerryError('FERRY_ERR_IO', `state lock ${lockFile} is held by another process for too long`);
    }
    // Short random waits: contenders do not retry in lockstep.
    await new Promise((resolve) => setTimeout(resolve, Math.min(2 + attempt, 20) + Math.random() * 5));
  }
}
