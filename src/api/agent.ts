// The agent's half of the public API (`ferry/agent`): run an agent from a config, and the
// service types it serves (built-in, or an embedder's own registered beside them).
// `ferry agent` is built on this file, and loads nothing of the controller.
import { agentConfigFromObject as fromObject, loadAgentConfig as fromFile, type AgentConfig, type AgentConfigInput } from '../config/agent-config.js';
import type { ConfigObjectOptions } from '../config/from-object.js';
import { agentNameOf, readTls, startAgent, type Agent, type AgentOptions } from '../agent/agent.js';
import { createFileLogger } from '../observability/log-file.js';
import { Lifecycle } from './lifecycle.js';
import { defaultServiceTypes } from '../services/default-types.js';
import { buildServices } from '../services/registry.js';
import type { ServiceConfig } from '../services/service-config.js';
import type { ServiceTypeRegistry } from '../services/service-types.js';

export { startAgent, type Agent, type AgentOptions } from '../agent/agent.js';
export { AGENT_ENV, agentConfigSchemaOf, type AgentConfig, type AgentConfigInput } from '../config/agent-config.js';
export { waitForConnection } from './wait-for-connection.js';
export { ServiceTypeRegistry } from '../services/service-types.js';
export { defaultServiceTypes } from '../services/default-types.js';
export type { ServiceType, ServiceEntryShape, IssueAt } from '../services/service-type.js';
export type { AgentService, ServiceRequest, PreparedRequest, ServiceHealth, UpstreamHeader } from '../services/agent-service.js';
export type { ServiceConfig } from '../services/service-config.js';

/** An agent config from a YAML file, as `ferry agent` reads it (FERRY_* overrides applied). */
export function loadAgentConfig(file: string, env: NodeJS.ProcessEnv = process.env, types: ServiceTypeRegistry = defaultServiceTypes()): Promise<AgentConfig<ServiceConfig>> {
  return fromFile(file, env, types);
}

/** An agent config from an object: same schema and problem wording, no file, no environment. */
export function agentConfigFromObject(data: AgentConfigInput, options: ConfigObjectOptions, types: ServiceTypeRegistry = defaultServiceTypes()): AgentConfig<ServiceConfig> {
  return fromObject(data, options, types);
}

/** What `ferry agent --check-config` proves: the certificate names an agent and every service can be built. */
export async function checkAgentConfig(config: AgentConfig, types?: ServiceTypeRegistry): Promise<void> {
  agentNameOf((await readTls(config)).certPem);
  const services = await buildServices(config.services, {}, types);
  await Promise.all(services.map((s) => s.close()));
}

export interface AgentLifecycleOptions extends AgentOptions {
  /** Log JSON lines to this file (rotateLogs() reopens it) instead of stderr; ignored when `logger` is given. */
  logFile?: string;
}

/** The agent as a lifecycle: register hooks, then run(); stop(deadline) drains. */
export function createAgent(config: AgentConfig, options: AgentLifecycleOptions = {}): Lifecycle<Agent> {
  const { logFile, ...rest } = options;
  const file = logFile !== undefined && rest.logger === undefined ? createFileLogger(logFile, { name: 'ferry-agent' }) : undefined;
  const startOptions: AgentOptions = file ? { ...rest, logger: file.logger } : rest;
  return new Lifecycle('agent', () => startAgent(config, startOptions), () => (file ? (file.reopen(), true) : false));
}
