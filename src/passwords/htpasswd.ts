// An htpasswd file of bcrypt entries (`htpasswd -B`), re-read when it changes.
import { readFile, stat } from 'node:fs/promises';
import { FerryError, messageOf } from '../errors.js';
import { isBcryptHash, StaticPasswords, type StaticUser } from './static-users.js';
import type { PasswordChecker, PasswordIdentity } from './types.js';

/** `user:hash` lines; blank lines and `#` comments skipped. A non-bcrypt entry names its line. */
export function parseHtpasswd(text: string, file: string): Map<string, StaticUser> {
  const users = new Map<string, StaticUser>();
  text.split(/\r?\n/).forEach((line, i) => {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const colon = trimmed.indexOf(':');
    const user = colon > 0 ? trimmed.slice(0, colon) : '';
    const hash = trimmed.slice(colon + 1);
    if (user === '' || !isBcryptHash(hash)) {
      // The hash itself is never shown: it is a secret too.
      throw new FerryError('FERRY_ERR_BAD_CONFIG', `${file}:${i + 1}: not a "user:bcrypt-hash" entry (only bcrypt, htpasswd -B, is accepted)`);
    }
    users.set(user, { hash });
  });
  return users;
}

export class HtpasswdPasswords implements PasswordChecker {
  readonly name = 'htpasswd';
  #checker: StaticPasswords | undefined;
  #mtimeMs = -1;

  constructor(readonly file: string) {}

  /** Reads the file now (a bad file is a config error at start). */
  async load(): Promise<this> {
    await this.#current();
    return this;
  }

  async #current(): Promise<StaticPasswords> {
    let mtimeMs: number;
    try {
      mtimeMs = (await stat(this.file)).mtimeMs;
    } catch (err) {
      if (this.#checker) return this.#checker;
      throw new FerryError('FERRY_ERR_BAD_CONFIG', `cannot read htpasswd file ${this.file}: ${messageOf(err)}`);
    }
    if (!this.#checker || mtimeMs !== this.#mtimeMs) {
      this.#checker = new StaticPasswords(parseHtpasswd(await readFile(this.file, 'utf8'), this.file), this.name);
      this.#mtimeMs = mtimeMs;
    }
    return this.#checker;
  }

  async check(username: string, password: string): Promise<PasswordIdentity | null> {
    return (await this.#current()).check(username, password);
  }
}
