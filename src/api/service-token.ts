// A token for one service behind one agent: what `ferry get-creds service` and the
// quickstart hand out, for an embedder that holds the controller in-process.
import { serviceAudience } from '../tokens/claims.js';
import type { IssuedToken, TokenIssuer } from '../tokens/issuer.js';

export interface ServiceTarget {
  agent: string;
  /** The service's type (kubernetes, jenkins, x-demo, ...). */
  type: string;
  name: string;
}

/** Signs a service token for `target`, valid for `ttlSeconds`; its subject is `<name>.<agent>`. */
export function issueServiceToken(issuer: TokenIssuer, target: ServiceTarget, ttlSeconds: number): Promise<IssuedToken> {
  return issuer.issue({
    purpose: 'service',
    sub: `${target.name}.${target.agent}`,
    aud: serviceAudience(target.agent, target.type, target.name),
    agent: target.agent,
    type: target.type,
    name: target.name,
    ttlSeconds,
  });
}
