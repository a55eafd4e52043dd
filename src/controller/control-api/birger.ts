// birger's control API paths and JSON shapes (fwdapi), so tools written for birger work
// unchanged. Certificates and keys are base64 of the PEM, as birger sends them.
import { z } from 'zod';
import { assertDnsSafeName } from '../../pki/index.js';
import { listAgents } from './agents-endpoint.js';
import type { ControlCaller, ControlContext } from './context.js';
import { assertKnownAgent, issueControl, issueService } from './credentials.js';
import { onboardAgent, hostOf } from './onboard.js';
import { parseRequest } from './requests.js';

export const BIRGER_PATHS = {
  kubeconfig: '/api/v1/generateKubectlComponents',
  manifest: '/api/v1/generateAgentManifestComponents',
  service: '/api/v1/generateServiceCredentials',
  control: '/api/v1/generateControlCredentials',
  statistics: '/api/v1/getAgentStatistics',
} as const;

const b64 = (pem: string) => Buffer.from(pem).toString('base64');

// birger (Go's encoding/json) ignores fields it does not know; so do these.
const kubeconfigRequest = z.object({ agentName: z.string().default(''), name: z.string().default('') });
const manifestRequest = z.object({ agentName: z.string().default('') });
const serviceRequest = z.object({
  agentName: z.string().default(''),
  type: z.string().optional(),
  name: z.string().optional(),
  Type: z.string().optional(),
  Name: z.string().optional(),
});
const controlRequest = z.object({ name: z.string().default('') });

/** birger's kubectl components are a client certificate for the agent's kubernetes service. */
export async function birgerKubectl(ctx: ControlContext, body: unknown, caller: ControlCaller) {
  const req = parseRequest(kubeconfigRequest, body);
  assertDnsSafeName('agentName', req.agentName);
  assertDnsSafeName('name', req.name);
  assertKnownAgent(ctx, req.agentName);
  const identity = { kind: 'service' as const, agent: req.agentName, type: 'kubernetes', name: req.name };
  const cert = await ctx.ca.issueClient(identity, { notAfter: new Date(Date.now() + ctx.config.tokens.kubectlTtl * 1000) });
  ctx.log('info', 'control API: credential issued', { kind: 'kubectl-certificate', agent: req.agentName, name: req.name, serial: cert.serial, caller: caller.name });
  return {
    agentName: req.agentName,
    name: req.name,
    serverUrl: ctx.urls.frontDoor,
    userCertificate: b64(cert.certPem),
    userKey: b64(cert.keyPem),
    caCert: b64(ctx.ca.certPem),
  };
}

export async function birgerManifest(ctx: ControlContext, body: unknown, caller: ControlCaller) {
  const req = parseRequest(manifestRequest, body);
  const out = await onboardAgent(ctx, { agent: req.agentName }, caller);
  const port = Number(/:(\d+)$/.exec(out.controllerAddress)?.[1] ?? 0);
  return {
    agentName: out.agent,
    serverHostname: hostOf(out.controllerAddress),
    serverPort: port,
    agentVersion: ctx.version,
    agentToken: out.bootstrapToken,
    caCert: b64(ctx.ca.certPem),
  };
}

export async function birgerService(ctx: ControlContext, body: unknown, caller: ControlCaller) {
  const req = parseRequest(serviceRequest, body);
  const out = await issueService(ctx, { agent: req.agentName, type: req.type ?? req.Type ?? '', name: req.name ?? req.Name ?? '' }, caller);
  const credential =
    out.type === 'aws'
      ? { credentialType: 'aws', credential: { awsAccessKey: out.username, awsSecretAccessKey: out.token } }
      : { credentialType: 'basic', credential: { username: out.username, password: out.token } };
  return {
    agentName: out.agent,
    name: out.name,
    type: out.type,
    username: out.username,
    password: out.password,
    ...credential,
    url: out.url,
    caCert: b64(ctx.ca.certPem),
  };
}

export async function birgerControl(ctx: ControlContext, body: unknown, caller: ControlCaller) {
  const req = parseRequest(controlRequest, body);
  const out = await issueControl(ctx, { name: req.name }, caller);
  return { name: out.name, url: out.url, userCertificate: b64(out.certificate), userKey: b64(out.key), caCert: b64(out.caCert) };
}

export function birgerStatistics(ctx: ControlContext) {
  const connectedAgents = listAgents(ctx).agents.map((a) => ({
    agentId: a.agent,
    session: a.session,
    name: a.agent,
    sessionId: a.session,
    connectionType: 'direct',
    endpoints: a.services.map((s) => ({ name: s.name, type: s.type, configured: s.healthy, annotations: s.annotations })),
    version: a.version,
    hostname: a.hostname,
    connectedAt: Date.parse(a.connectedAt),
    lastPing: Date.parse(a.lastSeen),
    lastUse: Date.parse(a.lastSeen),
    agentInfo: { annotations: a.annotations },
  }));
  return { serverTime: Date.now(), version: ctx.version, connectedAgents };
}
