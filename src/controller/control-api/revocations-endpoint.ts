// POST /api/v1/revocations {jti | serial | token}: deny a token or a certificate from
// now on (persisted). A revoked agent certificate also loses its live connections.
import { FerryError } from '../../errors.js';
import { normalizeSerial } from '../../tokens/index.js';
import { readUnverifiedClaims } from '../../tokens/unverified-claims.js';
import type { ControlCaller, ControlContext } from './context.js';
import { parseRequest, revokeRequest } from './requests.js';

/** The token's jti. Its signature is not checked here, so its exp is not trusted either:
 *  the deny entry is kept without an expiry rather than pruned at a date the caller chose. */
function jtiOf(token: string): { jti: string; exp?: number } {
  const payload = readUnverifiedClaims(token, 'FERRY_ERR_BAD_INPUT', 'token: not a JWT');
  if (typeof payload.jti !== 'string' || payload.jti === '') throw new FerryError('FERRY_ERR_BAD_INPUT', 'token: it has no jti');
  return { jti: payload.jti };
}

export async function revoke(ctx: ControlContext, body: unknown, caller: ControlCaller) {
  const req = parseRequest(revokeRequest, body);
  if (req.serial !== undefined) {
    const serial = normalizeSerial(req.serial);
    await ctx.revocations.revokeSerial(serial);
    const dropped = ctx.dropAgentCertificate(serial);
    ctx.log('info', 'control API: certificate revoked', { serial, caller: caller.name, droppedSessions: dropped });
    return { revoked: { serial }, droppedSessions: dropped };
  }
  const { jti, exp } = req.token !== undefined ? jtiOf(req.token) : { jti: req.jti ?? '', exp: undefined };
  await ctx.revocations.revokeJti(jti, exp);
  ctx.log('info', 'control API: token revoked', { jti, caller: caller.name });
  return { revoked: { jti } };
}

export function listRevocations(ctx: ControlContext) {
  return ctx.revocations.list();
}
