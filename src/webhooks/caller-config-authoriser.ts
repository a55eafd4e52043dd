// A front-door authoriser that applies the config webhook's per-caller configuration to
// people the auth webhook let in: which agents and routes they may reach, who they act as
// upstream (impersonation), how many requests a second they may send and how many they
// may hold open at once (the front door counts those: stream-leases.ts).
import type { Authoriser, Caller, Decision, FrontDoorRequest, Route } from '../controller/front-door/types.js';
import { FerryError } from '../errors.js';
import type { CallerConfig } from './config-schemas.js';
import type { ConfigWebhookClient } from './config-webhook-client.js';
import { clientVersionOf, defaultRemoteAddressOf } from './front-door-request-info.js';
import { WebhookMetadata } from './webhook-metadata.js';

const matches = (pattern: string, value: string) => pattern === '*' || pattern === value;

function routeAllowed(config: CallerConfig, route: Route): boolean | null {
  if (!config.agents && !config.routes) return null;
  if (config.agents && !config.agents.some((a) => matches(a, route.agent))) return false;
  if (config.routes) {
    return config.routes.some((r) => {
      const [agent, type, name] = r.split('/') as [string, string, string];
      return matches(agent, route.agent) && matches(type, route.type) && matches(name, route.name);
    });
  }
  return true;
}

/** One token bucket per caller: `requestsPerSecond` refill, `burst` (default: one second's worth) deep. */
class RateBuckets {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  take(who: string, perSecond: number, burst: number, now: number): boolean {
    if (this.#buckets.size > 10_000) this.#buckets.clear();
    const b = this.#buckets.get(who) ?? { tokens: burst, at: now };
    b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * perSecond);
    b.at = now;
    this.#buckets.set(who, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
}

export class CallerConfigAuthoriser implements Authoriser {
  readonly name = 'webhook-config';
  readonly #buckets = new RateBuckets();

  constructor(
    private readonly client: ConfigWebhookClient,
    private readonly now: () => number = Date.now,
  ) {}

  authorise(caller: Caller, route: Route, req: FrontDoorRequest): Decision | Promise<Decision> {
    // Only people the auth webhook named; a ferry credential already says what it opens.
    if (caller.method !== 'webhook') return null;
    return this.#apply(caller, route, req);
  }

  async #apply(caller: Caller, route: Route, req: FrontDoorRequest): Promise<Decision> {
    const earlier = caller.claims?.['metadata'];
    const config = await this.client.get(caller.subject, caller.subject, {
      remoteAddress: defaultRemoteAddressOf(req),
      clientVersion: clientVersionOf(req),
      metadata: earlier instanceof WebhookMetadata ? earlier : undefined,
    });
    const allowed = routeAllowed(config, route);
    if (allowed === false) {
      throw new FerryError('FERRY_ERR_FORBIDDEN', `the config webhook does not give "${caller.subject}" the route ${route.agent}/${route.type}/${route.name}`);
    }
    const limit = config.rateLimits?.requestsPerSecond;
    if (limit !== undefined && !this.#buckets.take(caller.subject, limit, config.rateLimits?.burst ?? Math.max(1, Math.ceil(limit)), this.now())) {
      throw new FerryError('FERRY_ERR_RATE_LIMITED', `"${caller.subject}" is over ${limit} requests a second`);
    }
    // Counted per person as the webhook named them, before any impersonation mapping.
    const maxStreams = config.streamLimits?.maxConcurrentStreams;
    if (maxStreams !== undefined) caller.concurrency = { key: caller.subject, max: maxStreams };
    // Who the person acts as upstream (a service with impersonation turns this into Impersonate-*).
    if (config.impersonation?.user !== undefined) caller.subject = config.impersonation.user;
    if (config.impersonation?.groups !== undefined) caller.groups = [...config.impersonation.groups];
    return allowed;
  }
}
