// Config loading for embedders: the config/ loaders with the service types filled in
// (config/ cannot know the service types; services/ builds on config/).
import { agentConfigFromObject as agentFromObject, loadAgentConfig as loadAgent, type AgentConfig, type AgentConfigInput } from '../config/agent-config.js';
import {
  controllerConfigFromObject as controllerFromObject,
  loadControllerConfig as loadController,
  type ControllerConfig,
  type ControllerConfigInput,
} from '../config/controller-config.js';
import type { ConfigObjectOptions } from '../config/from-object.js';
import { defaultServiceTypes } from '../services/default-types.js';
import type { ServiceConfig } from '../services/service-config.js';
import type { ServiceTypeRegistry } from '../services/service-types.js';

/** A controller config from a YAML file, as `ferry controller` reads it (FERRY_* overrides applied). */
export function loadControllerConfig(file: string, env: NodeJS.ProcessEnv = process.env, types: ServiceTypeRegistry = defaultServiceTypes()): Promise<ControllerConfig<ServiceConfig>> {
  return loadController(file, env, types);
}

/** An agent config from a YAML file, as `ferry agent` reads it (FERRY_* overrides applied). */
export function loadAgentConfig(file: string, env: NodeJS.ProcessEnv = process.env, types: ServiceTypeRegistry = defaultServiceTypes()): Promise<AgentConfig<ServiceConfig>> {
  return loadAgent(file, env, types);
}

/** A controller config from an object: same schema and problem wording, no file, no environment. */
export function controllerConfigFromObject(data: ControllerConfigInput, options: ConfigObjectOptions, types: ServiceTypeRegistry = defaultServiceTypes()): ControllerConfig<ServiceConfig> {
  return controllerFromObject(data, options, types);
}

/** An agent config from an object: same schema and problem wording, no file, no environment. */
export function agentConfigFromObject(data: AgentConfigInput, options: ConfigObjectOptions, types: ServiceTypeRegistry = defaultServiceTypes()): AgentConfig<ServiceConfig> {
  return agentFromObject(data, options, types);
}
