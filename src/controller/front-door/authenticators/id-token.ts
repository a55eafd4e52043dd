// Front-door authentication of people: an ID token from a configured OIDC issuer, or the
// login token ferry itself signed at /access-token (purpose `user`). Either becomes a
// Caller with the person's name and groups and no route: the URL says where
// (/agents/<agent>/<type>/<name>/…), the access rules (people-access.ts) say whether.
// A token of any other issuer is left to the next authenticator (ferry's own tokens).
import { FerryError } from '../../../errors.js';
import type { IssuerVerifier } from '../../../oidc/issuer-verifier.js';
import type { TokenVerifier } from '../../../tokens/verifier.js';
import type { Authenticator, Caller, FrontDoorRequest } from '../types.js';
import { decodeJwt } from 'jose';

export interface FerryLoginTokens {
  verifier: TokenVerifier;
  /** ferry's own `iss`. */
  issuer: string;
  /** The login token's audience (login.clientId). */
  audience: string;
}

/** The bearer token of a request (kubectl sends ID tokens as `Authorization: Bearer`). */
function bearerOf(req: FrontDoorRequest): string | undefined {
  const auth = req.headers.authorization;
  if (typeof auth !== 'string' || auth.length < 8 || auth.slice(0, 7).toLowerCase() !== 'bearer ') return undefined;
  const token = auth.slice(7).trim();
  return token === '' ? undefined : token;
}

export class IdTokenAuthenticator implements Authenticator {
  readonly name = 'oidc';
  private readonly issuers = new Map<string, IssuerVerifier>();

  constructor(
    issuers: readonly IssuerVerifier[],
    private readonly login?: FerryLoginTokens,
  ) {
    for (const v of issuers) this.issuers.set(v.issuer, v);
  }

  async authenticate(req: FrontDoorRequest): Promise<Caller | null> {
    const token = bearerOf(req);
    if (token === undefined) return null;
    let claims: Record<string, unknown>;
    try {
      claims = decodeJwt(token);
    } catch {
      return null; // not a JWT: someone else's credential
    }
    const iss = claims['iss'];
    if (typeof iss !== 'string') return null;
    const oidc = this.issuers.get(iss);
    if (oidc) {
      const id = await oidc.verify(token);
      return { subject: id.subject, groups: id.groups, method: 'oidc', claims: id.claims };
    }
    if (this.login && iss === this.login.issuer && claims['purpose'] === 'user') {
      const verified = await this.login.verifier.verify(token, { audience: this.login.audience, purposes: ['user'] });
      if (verified.sub === '') throw new FerryError('FERRY_ERR_UNAUTHENTICATED', 'login token names nobody');
      return { subject: verified.sub, groups: verified.groups ?? [], method: 'login', claims: verified as object as Readonly<Record<string, unknown>> };
    }
    return null;
  }
}
