// Waiting for an agent to hold a tunnel: startAgent returns once it has started dialling.
import { FerryError } from '../errors.js';

/** Resolves once `agent.isConnected()`; FERRY_ERR_NO_AGENT after `timeoutMs`. */
export async function waitForConnection(agent: { isConnected(): boolean }, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!agent.isConnected()) {
    if (Date.now() > deadline) throw new FerryError('FERRY_ERR_NO_AGENT', `the agent did not connect within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
