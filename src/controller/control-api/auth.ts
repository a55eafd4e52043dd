// Who may call the control API: a control certificate (spiffe://<td>/control/<name>)
// or a control JWT (purpose "control", audience ferry:control). Any other credential
// that checks out is a 403; a missing or bad one is a 401.
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { FerryError } from '../../errors.js';
import type { Identity } from '../../pki/index.js';
import { controlAudience, type TokenVerifier } from '../../tokens/index.js';
import { readUnverifiedClaims } from '../../tokens/unverified-claims.js';
import { tokenFromHeaders } from '../front-door/token-in-headers.js';
import type { ControlCaller } from './context.js';

export type CertificateCheck = (raw: Uint8Array, serial: string) => Identity;

export async function authenticateControl(req: IncomingMessage, checkCert: CertificateCheck, verifier: TokenVerifier): Promise<ControlCaller> {
  const socket = req.socket as TLSSocket;
  const cert = socket.getPeerCertificate(false);
  if (cert?.raw) {
    if (!socket.authorized) throw new FerryError('FERRY_ERR_CERT', `client certificate refused: ${String(socket.authorizationError ?? 'not issued by this CA')}`);
    const id = checkCert(cert.raw, cert.serialNumber);
    if (id.kind !== 'control') throw new FerryError('FERRY_ERR_FORBIDDEN', `a ${id.kind} certificate may not call the control API`);
    return { name: id.name, method: 'certificate' };
  }
  const token = tokenFromHeaders(req.headers);
  if (token === undefined) throw new FerryError('FERRY_ERR_UNAUTHENTICATED', 'no credentials: send a control certificate or a control token');
  const claims = await verifier.verify(token, { audience: audienceOf(token) });
  if (claims.purpose !== 'control' || claims.aud !== controlAudience()) {
    throw new FerryError('FERRY_ERR_FORBIDDEN', `a ${claims.purpose} token may not call the control API`);
  }
  return { name: claims.sub, method: 'token' };
}

/** The audience a token claims, so its signature, dates and revocation can be checked whatever it is for. */
export function audienceOf(token: string): string {
  const { aud } = readUnverifiedClaims(token);
  if (typeof aud !== 'string' || aud === '') throw new FerryError('FERRY_ERR_UNAUTHENTICATED', 'token has no audience');
  return aud;
}
