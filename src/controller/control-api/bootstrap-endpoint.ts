// POST /api/v1/agents/bootstrap: an agent holding only a bootstrap token sends a CSR
// and gets its certificate. The token names the agent, is good once, and may be revoked.
import type { IncomingMessage } from 'node:http';
import { FerryError } from '../../errors.js';
import { bootstrapAudience } from '../../tokens/index.js';
import { tokenFromHeaders } from '../front-door/token-in-headers.js';
import { signAgentCertificate } from './agent-certificates.js';
import { audienceOf } from './auth.js';
import type { ControlContext } from './context.js';
import { bootstrapRequest, parseRequest } from './requests.js';

export async function bootstrapAgent(ctx: ControlContext, req: IncomingMessage, body: unknown) {
  const token = tokenFromHeaders(req.headers);
  if (token === undefined) throw new FerryError('FERRY_ERR_UNAUTHENTICATED', 'no bootstrap token: send it as a Bearer token');
  const claims = await ctx.verifier.verify(token, { audience: audienceOf(token) });
  if (claims.purpose !== 'bootstrap' || claims.agent === undefined || claims.aud !== bootstrapAudience(claims.agent)) {
    throw new FerryError('FERRY_ERR_FORBIDDEN', `a ${claims.purpose} token cannot enrol an agent`);
  }
  const agent = claims.agent;
  const { csr } = parseRequest(bootstrapRequest, body);
  // Spent before the certificate is made, exactly once across every controller process.
  if (!(await ctx.book.spendOnce(claims.jti, claims.exp, agent))) {
    throw new FerryError('FERRY_ERR_UNAUTHENTICATED', 'bootstrap token already used');
  }
  let cert;
  try {
    cert = await signAgentCertificate(ctx.ca, agent, csr, ctx.config.agentCertificateTtl);
  } catch (err) {
    await ctx.book.unspend(claims.jti);
    throw err;
  }
  ctx.log('info', 'control API: agent enrolled', { agent, serial: cert.serial, jti: claims.jti, notAfter: cert.notAfter.toISOString() });
  return { agent, certificate: cert.certPem, serial: cert.serial, caCert: ctx.ca.certPem, expiresAt: cert.notAfter.toISOString() };
}
