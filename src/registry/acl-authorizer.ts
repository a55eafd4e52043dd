// The Authorizer built on the ACL, plus godoauth's per-user grants: a user whose password
// backend (Vault KV) names their access (`repository:linux/app:*;…`) gets that, ACL aside.
import type { Acl } from './acl.js';
import { parseScope, type Access } from './scope.js';
import type { AuthorizationRequest, Authorizer } from './types.js';

export const VAULT_ACCESS_LABEL = 'vault-access';

function grantsOf(list: readonly string[]): Access[] {
  const out: Access[] = [];
  for (const s of list) {
    try {
      out.push(parseScope(s));
    } catch {
      // A malformed entry in the user store grants nothing.
    }
  }
  return out;
}

export class AclAuthorizer implements Authorizer {
  constructor(private readonly acl: Acl) {}

  authorize(req: AuthorizationRequest): Access[] {
    const own = req.identity?.labels?.[VAULT_ACCESS_LABEL];
    if (own !== undefined) {
      const grants = grantsOf(own);
      return req.scopes.map((s) => {
        const g = grants.find((x) => x.type === s.type && x.name === s.name);
        const actions = !g ? [] : g.actions.includes('*') ? [...s.actions] : s.actions.filter((a) => g.actions.includes(a));
        return { type: s.type, name: s.name, actions };
      });
    }
    const labels: Record<string, string[]> = { ...req.identity?.labels, group: req.identity?.groups ?? [] };
    return this.acl.authorize({ account: req.account, service: req.service, ip: req.ip, labels }, req.scopes);
  }
}
