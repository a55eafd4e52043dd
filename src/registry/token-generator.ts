// The registry JWT: ES256 signed by ferry's current token key, with `x5c` (the key's
// certificate, then the CA: registry 2.8 checks it against its rootcertbundle) and an
// RFC 7638 `kid` (registry 3.x with a JWKS). `aud` is one string and the times whole
// seconds: registry 2.8 calls anything else malformed.
import { randomUUID } from 'node:crypto';
import type { TokenIssuer } from '../tokens/issuer.js';
import type { Access, AuthorizationRequest, GeneratedToken, TokenGenerator } from './types.js';

export interface JwtTokenGeneratorOptions {
  issuer: TokenIssuer;
  /** The `iss` claim; the registry's `auth.token.issuer` must equal it. */
  iss: string;
  ttlSeconds: number;
  now?: () => number;
}

export class JwtTokenGenerator implements TokenGenerator {
  constructor(private readonly opts: JwtTokenGeneratorOptions) {}

  async generate(req: AuthorizationRequest, access: Access[]): Promise<GeneratedToken> {
    const iat = Math.floor((this.opts.now ?? Date.now)() / 1000);
    const exp = iat + this.opts.ttlSeconds;
    const payload = {
      iss: this.opts.iss,
      sub: req.account,
      aud: req.service,
      exp,
      // A little early: a registry whose clock is a few seconds behind still accepts it.
      nbf: iat - 10,
      iat,
      jti: randomUUID(),
      access: access.map((a) => ({ type: a.type, name: a.name, actions: [...a.actions] })),
    };
    return { token: await this.opts.issuer.sign(payload), issuedAt: iat, expiresIn: this.opts.ttlSeconds };
  }
}
