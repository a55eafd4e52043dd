// The hardening limits' config sections: `frontDoor.limits` and `agents.limits`. Every key
// is optional; an unset one keeps its default (connection-guard.ts, agent-limits.ts; the
// README's "Limits and hardening" table lists them).
import { z } from 'zod';
import { durationSchema } from './duration.js';

const count = (max: number) => z.number().int().min(1).max(max);
// No "0 = off": a limit that can be switched off by a typo is not a limit.
const positiveDuration = durationSchema.refine((s) => s > 0, 'must be more than 0');

export const frontDoorLimitsSchema = z.strictObject({
  headersTimeout: positiveDuration.optional(),
  maxHeaderBytes: count(1024 * 1024).optional(),
  idleTimeout: positiveDuration.optional(),
  handshakeTimeout: positiveDuration.optional(),
  maxConnections: count(1_000_000).optional(),
  maxConnectionsPerAddress: count(1_000_000).optional(),
  h2AuthTimeout: positiveDuration.optional(),
});

export const agentLimitsSchema = z.strictObject({
  maxSessionsPerAgent: count(10_000).optional(),
  maxStreamsPerSession: count(1_000_000).optional(),
});

export type FrontDoorLimitsConfig = z.infer<typeof frontDoorLimitsSchema>;
export type AgentLimitsConfig = z.infer<typeof agentLimitsSchema>;

const ms = (seconds: number | undefined) => (seconds === undefined ? undefined : Math.round(seconds * 1000));

/** The front door's limits in the guard's units (milliseconds), unset ones left out. */
export function frontDoorLimitsOf(c: FrontDoorLimitsConfig | undefined) {
  return {
    headersTimeoutMs: ms(c?.headersTimeout),
    maxHeaderBytes: c?.maxHeaderBytes,
    idleTimeoutMs: ms(c?.idleTimeout),
    handshakeTimeoutMs: ms(c?.handshakeTimeout),
    maxConnections: c?.maxConnections,
    maxConnectionsPerAddress: c?.maxConnectionsPerAddress,
    h2AuthTimeoutMs: ms(c?.h2AuthTimeout),
  };
}
