// The authoriser for people (callers proven by an ID token or a ferry login): the `oidc.access`
// allow lists by user and group, per agent and route. Other callers: no opinion.
import type { AccessRule } from '../../config/oidc-config.js';
import { FerryError } from '../../errors.js';
import type { LogFn } from '../../observability/log-fn.js';
import { accessAllows } from '../../oidc/access.js';
import type { Authoriser, Caller, Decision, Route } from './types.js';

export const PEOPLE_METHODS: ReadonlySet<string> = new Set(['oidc', 'login']);

export class PeopleAccessAuthoriser implements Authoriser {
  readonly name = 'people-access';

  constructor(
    private readonly rules: readonly AccessRule[],
    private readonly log: LogFn = () => undefined,
  ) {}

  authorise(caller: Caller, route: Route): Decision {
    if (!PEOPLE_METHODS.has(caller.method)) return null;
    if (accessAllows(this.rules, caller.subject, caller.groups, route)) return true;
    this.log('warn', 'front door: no oidc.access rule allows this person', { subject: caller.subject, method: caller.method, route: `${route.agent}/${route.type}/${route.name}` });
    throw new FerryError('FERRY_ERR_FORBIDDEN', `${caller.subject} may not use ${route.agent}/${route.type}/${route.name}: no oidc.access rule allows it`);
  }
}
