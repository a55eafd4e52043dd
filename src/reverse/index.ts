// The reverse direction (a workload in the cluster calls a controller-side service), one
// module over the relay: the agent's listener and the controller's service table.
export { startReverseListener, type ReverseListener, type ReverseListenerOptions } from './reverse-listener.js';
export { ReverseServices } from './reverse-services.js';
