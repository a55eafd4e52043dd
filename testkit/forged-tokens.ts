// JWTs a test crafts by hand to attack the front door: signed with the controller's own
// token key but with bad claims, or forged (alg none, HS256 keyed with the public key).
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { SignJWT, base64url } from 'jose';
import { serviceAudience, TokenKeyStore, type TokenKey } from '../src/tokens/index.js';

export interface RouteClaims {
  agent: string;
  type: string;
  name: string;
}

export interface TokenForge {
  /** The controller's current signing key (read from <dir>/state/token-keys). */
  key: TokenKey;
  /** A well-formed service token for `route`, with any claim overridden (undefined removes it). */
  claims(route: RouteClaims, overrides?: Record<string, unknown>): Record<string, unknown>;
  /** Signed ES256 with the real key: only the claims make it bad. */
  signed(claims: Record<string, unknown>): Promise<string>;
  /** `alg: none`, no signature. */
  unsigned(claims: Record<string, unknown>): string;
  /** HS256 keyed with the public key's PEM text (the classic RS/ES→HS confusion). */
  hmacWithPublicKey(claims: Record<string, unknown>): Promise<string>;
}

export async function openTokenForge(dir: string, issuer: string): Promise<TokenForge> {
  const store = await TokenKeyStore.open(join(dir, 'state', 'token-keys'), { issuer, createIfEmpty: false });
  const key = store.signingKey();
  const now = Math.floor(Date.now() / 1000);
  const encode = (obj: unknown) => base64url.encode(JSON.stringify(obj));
  return {
    key,
    claims(route, overrides = {}) {
      const base: Record<string, unknown> = {
        iss: issuer,
        sub: `${route.name}.${route.agent}`,
        aud: serviceAudience(route.agent, route.type, route.name),
        iat: now,
        exp: now + 600,
        jti: randomUUID(),
        purpose: 'service',
        ...route,
        ...overrides,
      };
      for (const [k, v] of Object.entries(base)) if (v === undefined) delete base[k];
      return base;
    },
    signed(claims) {
      return new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'JWT' }).sign(key.privateKey);
    },
    unsigned(claims) {
      return `${encode({ alg: 'none', typ: 'JWT', kid: key.kid })}.${encode(claims)}.`;
    },
    hmacWithPublicKey(claims) {
      return new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256', kid: key.kid, typ: 'JWT' })
        .sign(new TextEncoder().encode(key.publicKeyPem));
    },
  };
}
