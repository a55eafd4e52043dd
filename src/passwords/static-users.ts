// Static users with bcrypt hashes (docker_auth's `users:`, htpasswd's bcrypt lines).
import bcrypt from 'bcryptjs';
import type { PasswordChecker, PasswordIdentity } from './types.js';

export interface StaticUser {
  /** A bcrypt hash ($2a$, $2b$ or $2y$). */
  hash: string;
  groups?: string[];
  labels?: Record<string, string[]>;
}

// Compared against when the user is unknown, so an unknown name costs as long as a wrong password.
const DUMMY_HASH = '$2b$10$nBybylWFYI5mVfnLae0T2.E7.rrxMXXO5Q4entJgMJmCWn8WWCP6q';

export function isBcryptHash(hash: string): boolean {
  return /^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/.test(hash);
}

export class StaticPasswords implements PasswordChecker {
  readonly #users: Map<string, StaticUser>;

  constructor(
    users: Record<string, StaticUser> | Map<string, StaticUser>,
    readonly name = 'static',
  ) {
    this.#users = users instanceof Map ? users : new Map(Object.entries(users));
  }

  async check(username: string, password: string): Promise<PasswordIdentity | null> {
    const user = this.#users.get(username);
    // Go's bcrypt writes $2y$ in htpasswd files; bcryptjs reads it as $2b$ (the same algorithm).
    const hash = (user?.hash ?? DUMMY_HASH).replace(/^\$2y\$/, '$2b$');
    const ok = await bcrypt.compare(password, hash);
    if (!ok || !user) return null;
    return { subject: username, groups: [...(user.groups ?? [])], labels: { ...user.labels, group: [...(user.groups ?? [])] } };
  }
}
