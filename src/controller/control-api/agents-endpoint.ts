// GET /api/v1/agents: every connected agent session, as operators (and `ferry agents`) see it.
import type { AgentSession } from '../agent-session.js';
import type { ControlContext } from './context.js';

export interface AgentSessionView {
  agent: string;
  session: string;
  instanceId: string;
  hostname: string;
  version: string;
  annotations: Record<string, string>;
  services: { type: string; name: string; annotations: Record<string, string>; healthy: boolean; reason: string }[];
  connectedAt: string;
  lastSeen: string;
  openStreams: number;
  activeRequests: number;
  draining: boolean;
}

export function viewOf(s: AgentSession): AgentSessionView {
  return {
    agent: s.agent,
    session: s.id,
    instanceId: s.hello.instanceId,
    hostname: s.hello.hostname,
    version: s.hello.version,
    annotations: { ...s.hello.annotations },
    services: s.services.map((svc) => ({
      type: svc.type,
      name: svc.name,
      annotations: { ...svc.annotations },
      healthy: svc.health?.healthy ?? true,
      reason: svc.health?.reason ?? '',
    })),
    connectedAt: s.connectedAt.toISOString(),
    lastSeen: s.lastSeen.toISOString(),
    openStreams: s.openStreams,
    activeRequests: s.active,
    draining: s.draining,
  };
}

export function listAgents(ctx: ControlContext): { agents: AgentSessionView[] } {
  const agents = ctx.registry.sessions().map(viewOf);
  agents.sort((a, b) => a.agent.localeCompare(b.agent) || a.connectedAt.localeCompare(b.connectedAt));
  return { agents };
}
