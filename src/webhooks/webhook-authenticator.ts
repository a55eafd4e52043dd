// A front-door authenticator that asks the auth webhook: Basic credentials → `/password`,
// a Bearer token that is not a ferry JWT → `/token`. ferry's own tokens (in either
// place) are left to the token authenticator. A method switched off is never asked.
import { decodeJwt } from 'jose';
import type { Authenticator, Caller, FrontDoorRequest } from '../controller/front-door/types.js';
import { FerryError } from '../errors.js';
import type { LogFn } from '../observability/log-fn.js';
import { isGroupName } from '../pki/identity.js';
import type { TokenPurpose } from '../tokens/claims.js';
import type { AuthOutcome, AuthWebhookClient } from './auth-webhook-client.js';
import { clientVersionOf, defaultRemoteAddressOf, type RemoteAddressOf } from './front-door-request-info.js';
import { groupsOf } from './webhook-metadata.js';

export interface WebhookAuthenticatorOptions {
  /** Tells a ferry JWT (not the webhook's business) from other tokens; default: a JWT naming a ferry purpose. */
  isFerryToken?: (token: string) => boolean;
  remoteAddressOf?: RemoteAddressOf;
  log?: LogFn;
}

// A Record, so a purpose added to ferry's tokens is a compile error here until listed
// (a type import only: webhooks depend on no token code).
const FERRY_PURPOSES: Record<TokenPurpose, true> = { service: true, control: true, kubectl: true, bootstrap: true, user: true };

export function looksLikeFerryToken(token: string): boolean {
  if (token.split('.').length !== 3) return false;
  try {
    const purpose = decodeJwt(token)['purpose'];
    return typeof purpose === 'string' && Object.hasOwn(FERRY_PURPOSES, purpose);
  } catch {
    return false;
  }
}

export class WebhookAuthenticator implements Authenticator {
  readonly name = 'webhook';
  readonly #isFerryToken: (token: string) => boolean;
  readonly #remoteAddressOf: RemoteAddressOf;
  readonly #log: LogFn | undefined;

  constructor(private readonly client: AuthWebhookClient, options: WebhookAuthenticatorOptions = {}) {
    this.#isFerryToken = options.isFerryToken ?? looksLikeFerryToken;
    this.#remoteAddressOf = options.remoteAddressOf ?? defaultRemoteAddressOf;
    this.#log = options.log;
  }

  async authenticate(req: FrontDoorRequest): Promise<Caller | null> {
    const auth = req.headers.authorization;
    if (typeof auth !== 'string') return null;
    const space = auth.indexOf(' ');
    if (space < 0) return null;
    const scheme = auth.slice(0, space).toLowerCase();
    const value = auth.slice(space + 1).trim();
    if (scheme === 'basic') {
      if (!this.client.enabled('password')) return null;
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 0) throw new FerryError('FERRY_ERR_UNAUTHENTICATED', 'malformed Basic credentials');
      const username = decoded.slice(0, colon);
      const password = decoded.slice(colon + 1);
      if (this.#isFerryToken(password)) return null;
      const outcome = await this.client.password(username, password, this.#conn(req));
      if (!outcome.success) throw new FerryError('FERRY_ERR_UNAUTHENTICATED', `the auth webhook refused the password of "${username}"`);
      return this.#callerOf(outcome, 'password');
    }
    if (scheme === 'bearer') {
      if (!this.client.enabled('token') || value === '' || this.#isFerryToken(value)) return null;
      const outcome = await this.client.token(value, this.#conn(req));
      if (!outcome.success) throw new FerryError('FERRY_ERR_UNAUTHENTICATED', 'the auth webhook refused the token');
      if (outcome.authenticatedUsername === '') throw new FerryError('FERRY_ERR_UNAUTHENTICATED', 'the auth webhook accepted the token but named nobody (authenticatedUsername)');
      return this.#callerOf(outcome, 'token');
    }
    return null;
  }

  #conn(req: FrontDoorRequest) {
    return { remoteAddress: this.#remoteAddressOf(req), clientVersion: clientVersionOf(req) };
  }

  #callerOf(outcome: AuthOutcome, credential: string): Caller {
    return {
      subject: outcome.authenticatedUsername,
      groups: validGroups(groupsOf(outcome.metadata), this.#log),
      method: 'webhook',
      claims: { webhook: credential, metadata: outcome.metadata },
    };
  }
}

/** Groups safe to send as Impersonate-Group; others are dropped with a warning. */
export function validGroups(groups: string[], log: LogFn | undefined): string[] {
  const ok = groups.filter(isGroupName);
  if (ok.length !== groups.length) log?.('warn', 'webhook metadata named groups that are not valid group names; they are ignored', { dropped: groups.length - ok.length });
  return ok;
}
