// What the relay's serving side needs from its owner (an agent's connector, or the
// controller's reverse services): its own file, so serve-request and serve-upgrade
// share it without importing each other.
import type { AgentService } from '../services/agent-service.js';
import type { TunnelStream } from '../tunnel/tunnel-stream.js';
import type { LogFn } from '../observability/log-fn.js';

export interface ServeContext {
  agentName: string;
  findService(type: string, name: string): AgentService | undefined;
  /** Clean finish: the stream may carry another request. */
  onIdle(stream: TunnelStream): void;
  /** The stream was aborted or is unusable. */
  onDead(stream: TunnelStream): void;
  log: LogFn;
  onRequestStart?: () => void;
  onRequestDone?: (type: string, status: number | 'error', seconds: number) => void;
  onBytes?: (direction: 'in' | 'out', n: number) => void;
}
