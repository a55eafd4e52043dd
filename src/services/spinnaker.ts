// Spinnaker services (clouddriver, front50, fiat) trust X-Spinnaker-User to say who a
// request is for. birger signed the header on its way through (a short-lived JWT) so
// that nobody but the controller's side could choose the user. ferry's controller
// authenticates every caller, so the agent applies the same rule with that identity:
// - a trusted caller (by default the service's own credential, `<name>.<agent>`, which
//   Spinnaker's services use) may speak for any user: its X-Spinnaker-User is carried;
// - anyone else may only be themselves: their own subject is set, and a different
//   user in the header is refused (403).
// Two X-Spinnaker-User headers are refused (400): which one the upstream reads is unclear.
import { FerryError } from '../errors.js';
import type { ServiceConfig } from './service-config.js';
import type { ServiceRequest, UpstreamHeader } from './agent-service.js';
import { CredentialService } from './custom.js';
import type { UpstreamTlsOptions } from './http-proxy.js';
import type { ServiceContext } from './service-base.js';

export const SPINNAKER_USER = 'x-spinnaker-user';

// Names and e-mail addresses; no control characters, no commas (a list would be ambiguous).
const USER_SHAPE = /^[^\s,\p{Cc}][^,\p{Cc}]{0,254}$/u;

export class SpinnakerService extends CredentialService {
  private readonly trusted: ReadonlySet<string>;

  constructor(cfg: ServiceConfig, ctx: ServiceContext, tls: UpstreamTlsOptions) {
    super(cfg, ctx, tls);
    this.trusted = new Set(cfg.spinnaker?.trustedCallers ?? [`${cfg.name}.${ctx.agentName}`]);
  }

  protected override async credentialHeaders(req: ServiceRequest): Promise<UpstreamHeader[]> {
    const extra = await super.credentialHeaders(req);
    const claimed = req.headers.filter((h) => h.name.toLowerCase() === SPINNAKER_USER);
    if (claimed.length > 1) throw new FerryError('FERRY_ERR_BAD_INPUT', 'more than one X-Spinnaker-User header');
    const user = claimed[0]?.value.trim();
    if (user !== undefined && !USER_SHAPE.test(user)) throw new FerryError('FERRY_ERR_BAD_INPUT', 'X-Spinnaker-User is not a user name');
    const caller = req.caller;
    if (!caller || this.trusted.has(caller.subject)) return extra;
    if (user !== undefined && user !== caller.subject) {
      throw new FerryError('FERRY_ERR_FORBIDDEN', `X-Spinnaker-User "${user}" is not the authenticated caller "${caller.subject}"`);
    }
    // Set (or replace) the user with the identity the controller authenticated.
    const i = req.headers.findIndex((h) => h.name.toLowerCase() === SPINNAKER_USER);
    if (i >= 0) req.headers.splice(i, 1);
    return [...extra, { name: 'X-Spinnaker-User', value: caller.subject }];
  }

  protected override defaultHealthPath(): string {
    return '/health';
  }
}
