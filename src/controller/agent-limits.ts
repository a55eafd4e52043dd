// What one agent certificate holder may take of the controller: Control sessions per agent
// identity (several replicas of one agent share a name; a stolen or looping certificate
// must not open hundreds) and open Stream calls per session (the agent opens them; each
// holds memory on both ends). Refusals say which limit and how to raise it.
export interface AgentLimits {
  /** Control sessions (connected or saying Hello) of one agent name at once. */
  maxSessionsPerAgent: number;
  /** Stream calls open at once on one session (idle in the pool or carrying a request). */
  maxStreamsPerSession: number;
}

export const DEFAULT_AGENT_LIMITS: AgentLimits = {
  maxSessionsPerAgent: 8,
  // The agent's own default ceiling (streams.max) is 20,000.
  maxStreamsPerSession: 20_000,
};

/** Streams above maxStreamsPerSession that HTTP/2 lets in before a call is refused (the Control call, a few in transit). */
const HTTP2_STREAM_SLACK = 16;

export class AgentLimiter {
  readonly limits: AgentLimits;
  private readonly sessions = new Map<string, number>();

  constructor(limits: Partial<AgentLimits> | undefined) {
    const given = Object.fromEntries(Object.entries(limits ?? {}).filter(([, v]) => v !== undefined)) as Partial<AgentLimits>;
    this.limits = { ...DEFAULT_AGENT_LIMITS, ...given };
  }

  /** HTTP/2's SETTINGS_MAX_CONCURRENT_STREAMS for the agents' port. */
  get http2MaxConcurrentStreams(): number {
    return this.limits.maxStreamsPerSession + HTTP2_STREAM_SLACK;
  }

  /** Takes a session slot for `agent`, or says why not (release() gives it back). */
  takeSession(agent: string): string | undefined {
    const n = this.sessions.get(agent) ?? 0;
    if (n >= this.limits.maxSessionsPerAgent) {
      return `agent "${agent}" already has ${n} sessions open, the most allowed (agents.limits.maxSessionsPerAgent)`;
    }
    this.sessions.set(agent, n + 1);
    return undefined;
  }

  releaseSession(agent: string): void {
    const n = (this.sessions.get(agent) ?? 1) - 1;
    if (n > 0) this.sessions.set(agent, n);
    else this.sessions.delete(agent);
  }

  /** Why a new Stream call on a session holding `open` streams is refused, if it is. */
  streamRefusal(open: number): string | undefined {
    if (open < this.limits.maxStreamsPerSession) return undefined;
    return `session already holds ${open} streams, the most allowed (agents.limits.maxStreamsPerSession)`;
  }
}
