// A ferry token as a password: someone holding a token the front door accepts (a `ferry
// user` login, a service token) may `docker login` with it. The front door's own
// authenticators decide, so every kind of token it knows works here too.
import { FerryError } from '../errors.js';
import type { Authenticator, FrontDoorRequest } from '../controller/front-door/types.js';
import type { PasswordChecker, PasswordIdentity } from './types.js';

const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export class FrontDoorTokenPasswords implements PasswordChecker {
  readonly name = 'ferry-token';

  /** `authenticators` is read at each check: the front door's list, filled after start. */
  constructor(private readonly authenticators: () => readonly Authenticator[]) {}

  async check(username: string, password: string): Promise<PasswordIdentity | null> {
    if (!JWT.test(password)) return null;
    const req: FrontDoorRequest = {
      method: 'GET',
      url: '/',
      headers: { authorization: `Bearer ${password}` },
      peerCertificate: undefined,
      remoteAddress: '',
      remotePort: 0,
    };
    for (const a of this.authenticators()) {
      let caller;
      try {
        caller = await a.authenticate(req);
      } catch (err) {
        if (err instanceof FerryError && err.code === 'FERRY_ERR_UNAVAILABLE') throw err;
        return null;
      }
      if (!caller) continue;
      // The name typed must be the token's own (docker sends both): a token is not a skeleton key for other names.
      if (username !== caller.subject && username !== '' && username !== 'token' && username !== '<token>') return null;
      return { subject: caller.subject, groups: [...caller.groups], labels: { group: [...caller.groups], method: [caller.method] } };
    }
    return null;
  }
}
