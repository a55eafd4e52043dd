// Front-door authentication by a ferry JWT. The token names its route (agent/type/name)
// and its audience is bound to that route, so a token for one service opens no other.
import { FerryError } from '../../../errors.js';
import { serviceAudience } from '../../../tokens/claims.js';
import { readUnverifiedClaims } from '../../../tokens/unverified-claims.js';
import type { TokenVerifier } from '../../../tokens/verifier.js';
import { tokenFromHeaders } from '../token-in-headers.js';
import type { Authenticator, Caller, FrontDoorRequest, Route } from '../types.js';

export class TokenAuthenticator implements Authenticator {
  readonly name = 'token';

  /** Route claimed by each recent token: repeat callers skip decoding (the verifier caches the rest). */
  private readonly routes = new Map<string, Route>();

  constructor(private readonly verifier: TokenVerifier) {}

  private remember(token: string, route: Route): Route {
    if (this.routes.size >= 10_000) this.routes.clear();
    this.routes.set(token, route);
    return route;
  }

  async authenticate(req: FrontDoorRequest): Promise<Caller | null> {
    const token = tokenFromHeaders(req.headers);
    if (token === undefined) return null;
    const route = this.routes.get(token) ?? routeClaimed(token);
    const claims = await this.verifier.verify(token, {
      audience: serviceAudience(route.agent, route.type, route.name),
      purposes: ['service', 'kubectl'],
    });
    if (claims.agent !== route.agent || claims.type !== route.type || claims.name !== route.name) {
      throw new FerryError('FERRY_ERR_UNAUTHENTICATED', 'token route does not match its audience');
    }
    // Only verified tokens are remembered: a stranger cannot fill this map.
    this.remember(token, route);
    // The verified payload as it is (no copy): FerryClaims is an interface, so TS wants the widening spelt out.
    return { subject: claims.sub, groups: claims.groups ?? [], method: 'token', claims: claims as object as Readonly<Record<string, unknown>>, route };
  }
}

/** Reads the route a token claims (unverified) so the right audience can be demanded. */
function routeClaimed(token: string): Route {
  const { agent, type, name } = readUnverifiedClaims(token);
  if (typeof agent !== 'string' || typeof type !== 'string' || typeof name !== 'string') {
    throw new FerryError('FERRY_ERR_UNAUTHENTICATED', 'token names no service route');
  }
  return { agent, type, name };
}
