// Who is calling the front door, and which route they may use. Authenticators are
// plug-ins tried in order (certificate, JWT; later OIDC, webhooks): the first one that
// recognises a credential decides; a recognised but bad credential is a 401 at once.
import type { IncomingHttpHeaders } from 'node:http';
import type { PeerCertificate } from 'node:tls';
import { FerryError } from '../errors.js';
import type { Route } from './session-registry.js';

export interface Caller {
  subject: string;
  groups: string[];
  method: 'certificate' | 'token';
}

export interface Authenticated {
  route: Route;
  caller: Caller;
}

export interface FrontDoorRequest {
  headers: IncomingHttpHeaders;
  /** The TLS client certificate, when the client sent one the CA signed. */
  peerCertificate: PeerCertificate | undefined;
}

export interface FrontDoorAuthenticator {
  readonly name: string;
  /** null: no credential of this kind; throws FERRY_ERR_UNAUTHENTICATED: one that is bad. */
  authenticate(req: FrontDoorRequest): Promise<Authenticated | null>;
}

export async function authenticateRequest(
  authenticators: readonly FrontDoorAuthenticator[],
  req: FrontDoorRequest,
): Promise<Authenticated> {
  for (const a of authenticators) {
    const result = await a.authenticate(req);
    if (result) return result;
  }
  throw new FerryError('FERRY_ERR_UNAUTHENTICATED', 'no credentials: send a client certificate or a ferry token');
}

/** Where clients put a ferry JWT: X-Ferry-Token, birger's X-Opsmx-Token, Bearer, or the Basic password. */
export function tokenFromHeaders(headers: IncomingHttpHeaders): string | undefined {
  const direct = headers['x-ferry-token'] ?? headers['x-opsmx-token'];
  if (typeof direct === 'string' && direct !== '') return direct.trim();
  const auth = headers.authorization;
  if (typeof auth !== 'string') return undefined;
  const space = auth.indexOf(' ');
  if (space < 0) return undefined;
  const scheme = auth.slice(0, space).toLowerCase();
  const value = auth.slice(space + 1).trim();
  if (scheme === 'bearer') return value;
  if (scheme === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon >= 0 ? decoded.slice(colon + 1) : undefined;
  }
  return undefined;
}
