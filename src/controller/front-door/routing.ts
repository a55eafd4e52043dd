// The built-in route and policy: today every route comes from the credential (a service
// certificate or a service token names one), and such a credential opens that route only.
import type { Authoriser, Caller, Route, RouteResolver } from './types.js';

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
