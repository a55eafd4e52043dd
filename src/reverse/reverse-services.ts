// The reverse direction on the controller: services configured here that named agents
// may call through their connection (a workload in the cluster reaches a SaaS-side API
// and the controller adds the credential). The serving side is the relay's, as on an agent.
import type { ControllerConfig } from '../config/controller-config.js';
import { serveRequest, type ServeContext } from '../relay/serve-request.js';
import type { AgentService } from '../services/agent-service.js';
import { buildServices } from '../services/registry.js';
import type { LogFn } from '../observability/log-fn.js';
import type { TunnelStream } from '../tunnel/tunnel-stream.js';
import type { RequestHeadIn } from '../tunnel/types.js';

interface Entry {
  agents: Set<string>;
  service: AgentService;
}

export class ReverseServices {
  private constructor(
    private readonly entries: Entry[],
    private readonly log: LogFn,
  ) {}

  static async build(config: ControllerConfig['reverse'], log: LogFn): Promise<ReverseServices> {
    const services = await buildServices(
      config.map((r) => r.service),
      { agentName: 'controller', log },
    );
    return new ReverseServices(
      config.map((r, i) => ({ agents: new Set(r.agents), service: services[i]! })),
      log,
    );
  }

  /** Serves one agent-initiated request; the stream is closed afterwards, never pooled. */
  serve(agent: string, stream: TunnelStream, head: RequestHeadIn): void {
    // The agent does not get to say who is calling: it is the agent itself.
    head.caller = { subject: agent, groups: [], method: 'certificate' };
    const ctx: ServeContext = {
      agentName: 'controller',
      log: this.log,
      findService: (type, name) => this.find(agent, type, name),
      onIdle: (s) => s.close(),
      onDead: () => undefined,
    };
    this.log('debug', 'reverse request', { agent, service: `${head.serviceType}/${head.serviceName}` });
    serveRequest(stream, head, ctx);
  }

  private find(agent: string, type: string, name: string): AgentService | undefined {
    const entry = this.entries.find((e) => e.service.type === type && e.service.name === name);
    if (!entry) return undefined;
    if (!entry.agents.has('*') && !entry.agents.has(agent)) {
      this.log('warn', 'reverse request refused: agent not allowed', { agent, service: `${type}/${name}` });
      return undefined;
    }
    return entry.service;
  }

  async close(): Promise<void> {
    await Promise.all(this.entries.map((e) => e.service.close()));
  }
}
