// Issuing credentials: kubectl (a kubeconfig holding a kubectl token), service (URL plus
// a JWT, also as Basic username/password) and control (certificate and token).
import { FerryError } from '../../errors.js';
import { controlAudience, kubectlAudience, serviceAudience, type IssuedToken } from '../../tokens/index.js';
import type { ControlCaller, ControlContext } from './context.js';
import { buildKubeconfig } from './kubeconfig.js';
import { assertKnownServiceType } from './service-types.js';
import { controlRequest, kubectlRequest, parseRequest, serviceRequest } from './requests.js';

/** The agent was onboarded here or is connected now; otherwise its name is a typo. */
export function assertKnownAgent(ctx: ControlContext, agent: string): void {
  if (ctx.book.isOnboarded(agent) || ctx.registry.sessionsOf(agent).length > 0) return;
  throw new FerryError('FERRY_ERR_NOT_FOUND', `unknown agent "${agent}": onboard it first (ferry get-creds agent)`);
}

/** When the agent is connected, the service must be one it offers. */
function assertOffered(ctx: ControlContext, agent: string, type: string, name: string): void {
  const sessions = ctx.registry.sessionsOf(agent);
  if (sessions.length === 0 || sessions.some((s) => s.hasService(type, name))) return;
  throw new FerryError('FERRY_ERR_NO_SERVICE', `agent ${agent} offers no ${type} service named ${name}`);
}

function tokenFields(issued: IssuedToken): { token: string; jti: string; expiresAt: string } {
  return { token: issued.token, jti: issued.claims.jti, expiresAt: new Date(issued.claims.exp * 1000).toISOString() };
}

function logIssued(ctx: ControlContext, caller: ControlCaller, kind: string, fields: Record<string, unknown>): void {
  ctx.log('info', 'control API: credential issued', { kind, caller: caller.name, ...fields });
}

export async function issueKubectl(ctx: ControlContext, body: unknown, caller: ControlCaller) {
  const req = parseRequest(kubectlRequest, body);
  assertKnownAgent(ctx, req.agent);
  assertOffered(ctx, req.agent, 'kubernetes', req.name);
  const issued = await ctx.issuer.issue({
    purpose: 'kubectl',
    sub: req.user ?? `${req.name}.${req.agent}`,
    aud: kubectlAudience(req.agent, req.name),
    agent: req.agent,
    type: 'kubernetes',
    name: req.name,
    groups: req.groups,
    ttlSeconds: ctx.config.tokens.kubectlTtl,
  });
  const contextName = `ferry-${req.agent}-${req.name}`;
  const kubeconfig = buildKubeconfig({
    name: contextName,
    server: ctx.urls.frontDoor,
    caPem: ctx.ca.certPem,
    token: issued.token,
    namespace: req.namespace,
  });
  logIssued(ctx, caller, 'kubectl', { agent: req.agent, name: req.name, user: req.user, jti: issued.claims.jti });
  return {
    agent: req.agent,
    name: req.name,
    contextName,
    serverUrl: ctx.urls.frontDoor,
    caCert: ctx.ca.certPem,
    ...tokenFields(issued),
    kubeconfig,
  };
}

export async function issueService(ctx: ControlContext, body: unknown, caller: ControlCaller) {
  const req = parseRequest(serviceRequest, body);
  assertKnownServiceType(req.type);
  assertKnownAgent(ctx, req.agent);
  assertOffered(ctx, req.agent, req.type, req.name);
  const username = `${req.name}.${req.agent}`;
  const issued = await ctx.issuer.issue({
    purpose: 'service',
    sub: username,
    aud: serviceAudience(req.agent, req.type, req.name),
    agent: req.agent,
    type: req.type,
    name: req.name,
    ttlSeconds: ctx.config.tokens.serviceTtl,
  });
  logIssued(ctx, caller, 'service', { agent: req.agent, type: req.type, name: req.name, jti: issued.claims.jti });
  return {
    agent: req.agent,
    type: req.type,
    name: req.name,
    url: ctx.urls.frontDoor,
    caCert: ctx.ca.certPem,
    ...tokenFields(issued),
    // For clients that only speak Basic: the front door reads the JWT from the password.
    username,
    password: issued.token,
  };
}

export async function issueControl(ctx: ControlContext, body: unknown, caller: ControlCaller) {
  const req = parseRequest(controlRequest, body);
  const ttl = ctx.config.tokens.controlTtl;
  const cert = await ctx.ca.issueClient({ kind: 'control', name: req.name }, { notAfter: new Date(Date.now() + ttl * 1000) });
  const issued = await ctx.issuer.issue({ purpose: 'control', sub: req.name, aud: controlAudience(), ttlSeconds: ttl });
  logIssued(ctx, caller, 'control', { name: req.name, serial: cert.serial, jti: issued.claims.jti });
  return {
    name: req.name,
    url: ctx.urls.control,
    certificate: cert.certPem,
    key: cert.keyPem,
    serial: cert.serial,
    caCert: ctx.ca.certPem,
    ...tokenFields(issued),
  };
}
