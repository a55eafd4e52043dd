// Front-door authentication by a ferry JWT. The token names its route (agent/type/name)
// and its audience is bound to that route, so a token for one service opens no other.
import { decodeJwt } from 'jose';
import { FerryError } from '../errors.js';
import { serviceAudience } from '../tokens/claims.js';
import type { TokenVerifier } from '../tokens/verifier.js';
import type { Route } from './session-registry.js';
import { tokenFromHeaders, type Authenticated, type FrontDoorAuthenticator, type FrontDoorRequest } from './front-door-auth.js';

export class TokenAuthenticator implements FrontDoorAuthenticator {
  readonly name = 'token';

  /** Route claimed by each recent token: repeat callers skip decoding (the verifier caches the rest). */
  private readonly routes = new Map<string, Route>();

  constructor(private readonly verifier: TokenVerifier) {}

  private remember(token: string, route: Route): Route {
    if (this.routes.size >= 10_000) this.routes.clear();
    this.routes.set(token, route);
    return route;
  }

  async authenticate(req: FrontDoorRequest): Promise<Authenticated | null> {
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
    return { route, caller: { subject: claims.sub, groups: claims.groups ?? [], method: 'token' } };
  }
}

/** Reads the route a token claims (unverified) so the right audience can be demanded. */
function routeClaimed(token: string): Route {
  let payload: Record<string, unknown>;
  try {
    payload = decodeJwt(token);
  } catch {
    throw new FerryError('FERRY_ERR_UNAUTHENTICATED', 'malformed token');
  }
  const { agent, type, name } = payload;
  if (typeof agent !== 'string' || typeof type !== 'string' || typeof name !== 'string') {
    throw new FerryError('FERRY_ERR_UNAUTHENTICATED', 'token names no service route');
  }
  return { agent, type, name };
}
