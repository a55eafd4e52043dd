// All connected agent sessions, and the routing choice: a session of the named agent
// that offers the service healthy and is not draining, least busy first among sessions whose agent has opened streams (ties: the one used least).
import { EventEmitter } from 'node:events';
import { FerryError } from '../errors.js';
import type { AgentSession } from './agent-session.js';

export interface Route {
  agent: string;
  type: string;
  name: string;
}

export class SessionRegistry extends EventEmitter {
  private readonly byAgent = new Map<string, Set<AgentSession>>();

  add(session: AgentSession): void {
    let set = this.byAgent.get(session.agent);
    if (!set) this.byAgent.set(session.agent, (set = new Set()));
    set.add(session);
    this.emit('change');
  }

  remove(session: AgentSession): void {
    const set = this.byAgent.get(session.agent);
    if (!set) return;
    set.delete(session);
    if (set.size === 0) this.byAgent.delete(session.agent);
    this.emit('change');
  }

  sessions(): AgentSession[] {
    const out: AgentSession[] = [];
    for (const set of this.byAgent.values()) out.push(...set);
    return out;
  }

  sessionsOf(agent: string): AgentSession[] {
    return [...(this.byAgent.get(agent) ?? [])];
  }

  connectedAgents(): string[] {
    return [...this.byAgent.keys()];
  }

  pick(route: Route): AgentSession {
    const set = this.byAgent.get(route.agent);
    if (!set || set.size === 0) throw new FerryError('FERRY_ERR_NO_AGENT', `agent ${route.agent} is not connected`);
    let best: AgentSession | undefined;
    let offered = false;
    for (const s of set) {
      if (!s.hasService(route.type, route.name)) continue;
      offered = true;
      if (s.draining || !s.hasHealthyService(route.type, route.name)) continue;
      if (!best || better(s, best)) best = s;
    }
    if (best) {
      best.routed++;
      return best;
    }
    if (!offered) {
      throw new FerryError('FERRY_ERR_NO_SERVICE', `agent ${route.agent} has no ${route.type} service named ${route.name}`);
    }
    throw new FerryError('FERRY_ERR_UNAVAILABLE', unavailableReason(set, route));
  }
}

/** Why no instance may take the route: the unhealthy service's own reason, or draining. */
function unavailableReason(sessions: Iterable<AgentSession>, route: Route): string {
  const service = `service ${route.type}/${route.name} on agent ${route.agent}`;
  for (const s of sessions) {
    const health = s.services.find((x) => x.type === route.type && x.name === route.name)?.health;
    if (health && !health.healthy) return `${service} is unhealthy: ${health.reason || 'no reason given'}`;
  }
  return `${service} is unavailable: every instance of the agent is draining`;
}

/**
 * A session whose agent has opened streams before one just welcomed (it may be a duplicate
 * replica session its agent is about to hang up: a request there would fail); then the
 * least busy; between equally busy ones the one routed to least so far, so fast requests
 * take turns instead of all landing on one.
 */
function better(s: AgentSession, best: AgentSession): boolean {
  if (s.streamed !== best.streamed) return s.streamed;
  if (s.active !== best.active) return s.active < best.active;
  return s.routed < best.routed;
}
