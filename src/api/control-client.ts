// Calling a controller's control API from elsewhere (`ferry get-creds`, `ferry agents`,
// an operator's own tool): the client, the paths, and the kubeconfig merge.
export { CONTROL_PATHS } from '../controller/control-api/routes.js';
export { BIRGER_PATHS } from '../controller/control-api/birger.js';
export { ControlClient, type ControlClientOptions } from '../controller/control-api/client.js';
export { mergeKubeconfig, type Kubeconfig, type KubeconfigEntry } from '../controller/control-api/kubeconfig.js';
export type { AgentSessionView } from '../controller/control-api/agents-endpoint.js';
