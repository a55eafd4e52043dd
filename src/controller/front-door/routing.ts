// The built-in routes and policy: a credential that names a route (a service certificate
// or token) goes there and nowhere else; a person's credential (a webhook or OIDC login)
// names none, so the URL says where: /agents/<agent>/<type>/<name>/<path>.
import type { Authoriser, Caller, ResolvedRoute, Route, RouteResolver } from './types.js';

/** The route the caller's credential is bound to, if any. */
export const credentialRoute: RouteResolver = {
  name: 'credential',
  resolve: (_req, caller: Caller): Route | null => caller.route ?? null,
};

/** A credential bound to a route allows that route and denies every other; others: no opinion. */
export const boundRouteOnly: Authoriser = {
  name: 'bound-route',
  authorise(caller: Caller, route: Route): boolean | null {
    const bound = caller.route;
    if (!bound) return null;
    return bound === route || (bound.agent === route.agent && bound.type === route.type && bound.name === route.name);
  },
};

export const AGENT_PATH_PREFIX = '/agents/';
// Agent and service names are DNS labels; a service type is one too (x-… included).
const LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * For callers whose credential names no route: `/agents/<agent>/<type>/<name>` plus the
 * upstream path (kubectl's `server:` ends at the name and appends `/api/…`). Never for a
 * route-bound credential, whose own paths may well begin with /agents/.
 */
export const agentPathRoute: RouteResolver = {
  name: 'agent-path',
  resolve(req, caller): ResolvedRoute | null {
    if (caller.route || !req.url.startsWith(AGENT_PATH_PREFIX)) return null;
    const rest = req.url.slice(AGENT_PATH_PREFIX.length);
    const [agent, type, nameAndMore] = rest.split('/', 3) as [string, string?, string?];
    if (type === undefined || nameAndMore === undefined) return null;
    const cut = AGENT_PATH_PREFIX.length + agent.length + type.length + 2;
    const tail = req.url.slice(cut);
    const end = tail.search(/[/?]/);
    const name = end < 0 ? tail : tail.slice(0, end);
    if (!LABEL.test(agent) || !LABEL.test(type) || !LABEL.test(name)) return null;
    const path = end < 0 ? '/' : tail[end] === '?' ? `/${tail.slice(end)}` : tail.slice(end);
    return { agent, type, name, path };
  },
};
