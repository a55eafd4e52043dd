// Onboarding an agent: a one-time bootstrap token plus its config and manifests. The
// agent makes its own key; only a CSR comes back (bootstrap-endpoint.ts).
import { bootstrapAudience } from '../../tokens/index.js';
import type { ControlCaller, ControlContext } from './context.js';
import { agentConfigYaml, agentManifestsYaml, type AgentBundleInput } from './manifests.js';
import { onboardRequest, parseRequest } from './requests.js';

export async function onboardAgent(ctx: ControlContext, body: unknown, caller: ControlCaller) {
  const req = parseRequest(onboardRequest, body);
  const issued = await ctx.issuer.issue({
    purpose: 'bootstrap',
    sub: req.agent,
    aud: bootstrapAudience(req.agent),
    agent: req.agent,
    ttlSeconds: ctx.config.tokens.bootstrapTtl,
  });
  await ctx.book.addAgent(req.agent);
  const controllerAddress = req.controllerAddress ?? ctx.urls.agents;
  const input: AgentBundleInput = {
    agent: req.agent,
    namespace: req.namespace ?? 'ferry',
    image: req.image ?? `ghcr.io/ferry/ferry:${ctx.version}`,
    controllerAddress,
    serverName: hostOf(controllerAddress),
    controlUrl: ctx.urls.control,
    bootstrapToken: issued.token,
    caPem: ctx.ca.certPem,
  };
  const config = agentConfigYaml(input);
  ctx.log('info', 'control API: agent onboarded', { agent: req.agent, caller: caller.name, jti: issued.claims.jti });
  return {
    agent: req.agent,
    namespace: input.namespace,
    bootstrapToken: issued.token,
    jti: issued.claims.jti,
    expiresAt: new Date(issued.claims.exp * 1000).toISOString(),
    controllerAddress,
    controlUrl: ctx.urls.control,
    caCert: ctx.ca.certPem,
    config,
    manifests: agentManifestsYaml(input, config),
  };
}

export function hostOf(address: string): string {
  const m = /^\[([^\]]+)\](?::\d+)?$/.exec(address);
  if (m?.[1]) return m[1];
  const colon = address.lastIndexOf(':');
  return colon > 0 && address.indexOf(':') === colon ? address.slice(0, colon) : address;
}
