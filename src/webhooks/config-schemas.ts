// The config webhook's JSON: ferry POSTs what it knows of the caller to the configured URL
// and reads `{config: {...}}`, a partial configuration for that caller. Only the sections
// that may vary by caller are accepted; an answer naming any other is refused whole, with
// the section named in the reason (a webhook must not reach the CA, the listeners…).
import { z } from 'zod';
import { connectionFields } from './auth-schemas.js';

/** The request: the caller as authenticated (ContainerSSH's ConnectionAuthenticatedMetadata). */
export const configRequestSchema = z.strictObject({ ...connectionFields, authenticatedUsername: z.string() });
export type ConfigRequest = z.output<typeof configRequestSchema>;

const name = z.string().min(1).max(253);

/** `agent/type/name`, each part a name or `*`. */
const routePattern = z.string().regex(/^[^/\s]+\/[^/\s]+\/[^/\s]+$/, 'a route is "agent/type/name" ("*" for any part)');

// Inside a section, unknown keys are dropped (with one warning), like the answer's other fields.
export const callerConfigSections = {
  /** Agents the caller may reach ("*" for all). */
  agents: z.array(name),
  /** Routes the caller may reach. */
  routes: z.array(routePattern),
  /** Who the caller acts as upstream (kubectl impersonation). */
  impersonation: z.object({ user: name.optional(), groups: z.array(name).optional() }),
  rateLimits: z.object({
    requestsPerSecond: z.number().positive().optional(),
    burst: z.number().int().positive().optional(),
  }),
  /** Tunnel requests open at once (watches, logs -f and exec count until they end). */
  streamLimits: z.object({
    maxConcurrentStreams: z.number().int().positive().optional(),
  }),
};

export type CallerConfigSection = keyof typeof callerConfigSections;
export const CALLER_CONFIG_SECTIONS = Object.keys(callerConfigSections) as CallerConfigSection[];

export const callerConfigSchema = z.strictObject({
  agents: callerConfigSections.agents.optional(),
  routes: callerConfigSections.routes.optional(),
  impersonation: callerConfigSections.impersonation.optional(),
  rateLimits: callerConfigSections.rateLimits.optional(),
  streamLimits: callerConfigSections.streamLimits.optional(),
});
export type CallerConfig = z.output<typeof callerConfigSchema>;

export const configAnswerSchema = z.looseObject({ config: z.record(z.string(), z.unknown()).default({}) });
export type ConfigAnswer = { config: CallerConfig } & Record<string, unknown>;
export const CONFIG_ANSWER_FIELDS: ReadonlySet<string> = new Set(['config']);
