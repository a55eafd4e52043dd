// The controller's half of the public API (`ferry/controller`): run a controller from a
// config, and the seams a module or an embedder plugs into — front-door authenticators,
// route resolvers, authorisers and local handlers, control API routes, the state store.
// `ferry controller` is built on this file.
import { controllerConfigFromObject as fromObject, loadControllerConfig as fromFile, type ControllerConfig, type ControllerConfigInput } from '../config/controller-config.js';
import type { ConfigObjectOptions } from '../config/from-object.js';
import { loadCA } from '../pki/index.js';
import { defaultServiceTypes } from '../services/default-types.js';
import type { ServiceConfig } from '../services/service-config.js';
import { startController, type Controller, type ControllerOptions } from '../controller/controller.js';
import { createFileLogger } from '../observability/log-file.js';
import { Lifecycle } from './lifecycle.js';

export { startController, type Controller, type ControllerOptions } from '../controller/controller.js';
export { defaultReplicaId } from '../controller/replicas/replica-registry.js';
export { Lifecycle, type LifecycleState, type Stoppable } from './lifecycle.js';
export { CONTROLLER_ENV, controllerConfigSchemaOf, type ControllerConfig, type ControllerConfigInput } from '../config/controller-config.js';
export { issueServiceToken, type ServiceTarget } from './service-token.js';
export type { Authenticator, Authoriser, Caller, Decision, FrontDoorRequest, LocalHandler, ResolvedRoute, Route, RouteResolver } from '../controller/front-door/index.js';
export type { ControlHandler, ControlRoute, ControlRouteMount, ControlCaller, ControlContext } from '../controller/control-api/index.js';
export * from './control-client.js';
export { FileStore, ABSENT, type StateStore, type Entry, type StoreChange, type JsonValue, type Version, type Unsubscribe } from '../state/index.js';
export { PgStore, ValueCipher, type PgStoreOptions } from '../state/index.js';

// The reverse direction's services use the built-in types (see README, "The reverse direction").

/** A controller config from a YAML file, as `ferry controller` reads it (FERRY_* overrides applied). */
export function loadControllerConfig(file: string, env: NodeJS.ProcessEnv = process.env): Promise<ControllerConfig<ServiceConfig>> {
  return fromFile(file, env, defaultServiceTypes());
}

/** A controller config from an object: same schema and problem wording, no file, no environment. */
export function controllerConfigFromObject(data: ControllerConfigInput, options: ConfigObjectOptions): ControllerConfig<ServiceConfig> {
  return fromObject(data, options, defaultServiceTypes());
}

/** What `ferry controller --check-config` proves beyond the schema: the CA loads. */
export async function checkControllerConfig(config: ControllerConfig): Promise<void> {
  await loadCA(config.ca.cert, config.ca.key);
}

export interface ControllerLifecycleOptions extends ControllerOptions {
  /** Log JSON lines to this file (rotateLogs() reopens it) instead of stderr; ignored when `logger` is given. */
  logFile?: string;
}

/** The controller as a lifecycle: register hooks, then run(); stop(deadline) drains. */
export function createController(config: ControllerConfig, options: ControllerLifecycleOptions = {}): Lifecycle<Controller> {
  const { logFile, ...rest } = options;
  const file = logFile !== undefined && rest.logger === undefined ? createFileLogger(logFile, { name: 'ferry-controller' }) : undefined;
  const startOptions: ControllerOptions = file ? { ...rest, logger: file.logger } : rest;
  return new Lifecycle('controller', () => startController(config, startOptions), () => (file ? (file.reopen(), true) : false));
}
