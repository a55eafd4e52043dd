// A lock shared by every process using one state folder. It guards each read-modify-write,
// so compare-and-set is atomic across processes. Writes take milliseconds: a lock file older
// than 10 s belongs to a holder that crashed and is taken over.
import { withLockFile } from '../files/lock-file.js';

export function withFileLock<T>(lockFile: string, job: () => Promise<T>): Promise<T> {
  return withLockFile(lockFile, job, {
    waitMs: 15_000,
    staleMs: 10_000,
    busyMessage: `state lock ${lockFile} is held by another process for too long`,
    pauseMs: (attempt) => Math.min(2 + attempt, 20) + Math.random() * 5,
  });
}
