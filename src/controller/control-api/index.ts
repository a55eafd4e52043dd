// Public API of the control API: the server, its paths, and what the controller wires in.
export type { ControlApi, ControlApiOptions } from './server.js';
export { startControlApi } from './server.js';
export type { ControlCaller, ControlContext, ControlUrls } from './context.js';
export { AgentBook } from './agent-book.js';
export type { AgentCertificate } from './agent-certificates.js';
export { signAgentCertificate } from './agent-certificates.js';
export { CONTROL_PATHS, ControlRoutes, defaultControlRoutes } from './routes.js';
export type { ControlHandler, ControlRoute, ControlRouteMount } from './routes.js';
export { BIRGER_PATHS } from './birger.js';
export type { AgentSessionView } from './agents-endpoint.js';
export type { Kubeconfig, KubeconfigEntry } from './kubeconfig.js';
export { buildKubeconfig, mergeKubeconfig } from './kubeconfig.js';
export type { ControlPlaneParts } from './plane.js';
export { startControlPlane } from './plane.js';
export type { ControlClientOptions } from './client.js';
export { ControlClient } from './client.js';
