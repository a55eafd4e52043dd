// The token server's library API, in the shape of registry-token-auth: an Authenticator
// (who), an Authorizer (what they may do), a TokenGenerator (the signed answer). Any of
// them can be an application's own; TokenServer puts them together behind one handler.
import type { PasswordIdentity } from '../passwords/types.js';
import type { Access } from './scope.js';

export type { Access } from './scope.js';

/** Who asks and for what, once the credentials are checked. */
export interface AuthorizationRequest {
  /** The proven account; '' for an anonymous request. */
  account: string;
  identity: PasswordIdentity | undefined;
  service: string;
  /** The client's address (no port). */
  ip: string;
  /** Merged scopes, as asked. */
  scopes: Access[];
}

/** null: unknown user or wrong password (401). Throws FERRY_ERR_UNAVAILABLE when it cannot tell (503). */
export interface Authenticator {
  authenticate(username: string, password: string, ip: string): Promise<PasswordIdentity | null>;
}

/** The granted subset of `req.scopes`: every entry kept, its actions perhaps empty. Never throws for a denial. */
export interface Authorizer {
  authorize(req: AuthorizationRequest): Access[] | Promise<Access[]>;
}

export interface GeneratedToken {
  token: string;
  /** Seconds since the epoch. */
  issuedAt: number;
  expiresIn: number;
}

export interface TokenGenerator {
  generate(req: AuthorizationRequest, access: Access[]): Promise<GeneratedToken>;
}

/** One refresh token's record (kept under its SHA-256, never in clear). */
export interface RefreshRecord {
  subject: string;
  service: string;
  clientId: string;
  groups: string[];
  labels: Record<string, string[]>;
  createdAt: number;
  expiresAt: number;
}

export interface RefreshTokenStore {
  /** A new refresh token for this record; only its hash is stored. */
  create(record: RefreshRecord): Promise<string>;
  /** The record, or undefined when unknown, revoked or expired. */
  find(token: string): Promise<RefreshRecord | undefined>;
  /** Revokes one token (by the token or its id) or all of a subject's; returns how many. */
  revoke(by: { token?: string; id?: string; subject?: string }): Promise<number>;
}
