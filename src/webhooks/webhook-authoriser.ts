// A front-door authoriser that asks the auth webhook's `/authz` whether a caller may use
// the route it asked for. The route and the caller's non-sensitive metadata go in the
// request's metadata; a `groups` entry in the answer adds impersonation groups.
import type { Authoriser, Caller, Decision, FrontDoorRequest, Route } from '../controller/front-door/types.js';
import { FerryError } from '../errors.js';
import type { LogFn } from '../observability/log-fn.js';
import type { AuthWebhookClient } from './auth-webhook-client.js';
import { clientVersionOf, defaultRemoteAddressOf, pathOnly, type RemoteAddressOf } from './front-door-request-info.js';
import { validGroups } from './webhook-authenticator.js';
import { groupsOf, WebhookMetadata } from './webhook-metadata.js';

export interface WebhookAuthoriserOptions {
  remoteAddressOf?: RemoteAddressOf;
  log?: LogFn;
}

export class WebhookAuthoriser implements Authoriser {
  readonly name = 'webhook-authz';
  readonly #remoteAddressOf: RemoteAddressOf;
  readonly #log: LogFn | undefined;

  constructor(private readonly client: AuthWebhookClient, options: WebhookAuthoriserOptions = {}) {
    this.#remoteAddressOf = options.remoteAddressOf ?? defaultRemoteAddressOf;
    this.#log = options.log;
  }

  authorise(caller: Caller, route: Route, req: FrontDoorRequest): Decision | Promise<Decision> {
    // Switched off: no opinion, and no call.
    if (!this.client.enabled('authz')) return null;
    return this.#ask(caller, route, req);
  }

  async #ask(caller: Caller, route: Route, req: FrontDoorRequest): Promise<Decision> {
    const earlier = caller.claims?.['metadata'];
    const base = earlier instanceof WebhookMetadata ? earlier : new WebhookMetadata();
    const routeName = `${route.agent}/${route.type}/${route.name}`;
    const metadata = base.merge({
      route: { value: routeName, sensitive: false },
      'route.agent': { value: route.agent, sensitive: false },
      'route.type': { value: route.type, sensitive: false },
      'route.name': { value: route.name, sensitive: false },
      'http.method': { value: req.method, sensitive: false },
      'http.path': { value: pathOnly(req.url), sensitive: false },
      authMethod: { value: caller.method, sensitive: false },
      ...(base.get('groups') === undefined && caller.groups.length > 0 ? { groups: { value: caller.groups.join(','), sensitive: false } } : {}),
    });
    const outcome = await this.client.authz(caller.subject, caller.subject, {
      remoteAddress: this.#remoteAddressOf(req),
      clientVersion: clientVersionOf(req),
      metadata,
    });
    if (!outcome.success) throw new FerryError('FERRY_ERR_FORBIDDEN', `the auth webhook refused "${caller.subject}" the route ${routeName}`);
    const added = validGroups(groupsOf(outcome.metadata), this.#log).filter((g) => !caller.groups.includes(g));
    // A new array: the caller's may be shared with a cache (a verified token's claims).
    if (added.length > 0) caller.groups = caller.groups.concat(added);
    return true;
  }
}
