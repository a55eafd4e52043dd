// A lock across the kubectl processes of one user: held for a whole login (a browser login
// takes minutes), so five kubectl runs on an empty cache make one login, not five. The lock
// file lives in the user's own cache folder (not a shared /tmp, where another user's file
// blocked everyone: kubelogin #627). A holder that died is detected by its pid.
import { withLockFile } from '../../files/lock-file.js';

export interface LoginLockOptions {
  /** Give up waiting after this long (default 5 minutes: a person may be typing a password). */
  waitMs?: number;
  /** A lock older than this is taken over even if its pid lives (default 10 minutes). */
  staleMs?: number;
}

export function withLoginLock<T>(file: string, job: () => Promise<T>, opts: LoginLockOptions = {}): Promise<T> {
  return withLockFile(file, job, {
    waitMs: opts.waitMs ?? 300_000,
    staleMs: opts.staleMs ?? 600_000,
    checkHolderPid: true,
    busyMessage: `another login holds ${file}; remove it if no login is running`,
    pauseMs: (attempt) => Math.min(10 + attempt * 5, 100) + Math.random() * 10,
  });
}
