// Several password backends in order: the first that knows the user and the password
// decides; one that is down makes the answer 503 unless a later one vouches for the user.
import { FerryError } from '../errors.js';
import type { PasswordChecker, PasswordIdentity } from './types.js';

export class PasswordChain implements PasswordChecker {
  readonly name = 'chain';

  constructor(readonly checkers: readonly PasswordChecker[]) {}

  async check(username: string, password: string): Promise<PasswordIdentity | null> {
    let down: FerryError | undefined;
    for (const c of this.checkers) {
      try {
        const who = await c.check(username, password);
        if (who) return who;
      } catch (err) {
        if (err instanceof FerryError && err.code === 'FERRY_ERR_UNAVAILABLE') {
          down ??= err;
          continue;
        }
        throw err;
      }
    }
    if (down) throw down;
    return null;
  }

  async close(): Promise<void> {
    await Promise.all(this.checkers.map((c) => (c.close ? c.close() : Promise.resolve())));
  }
}
