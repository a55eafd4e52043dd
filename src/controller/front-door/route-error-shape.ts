// Which error shape a front-door refusal takes, decided before (or without) a route: the
// route's type when the URL names one (/agents/<agent>/<type>/…), else the type named in
// the request's ferry JWT (read unverified: it only picks a body format), else kubectl's
// User-Agent. kubectl then prints ferry's reason instead of a generic line.
import type { ErrorShape } from '../../errors.js';
import { errorShapeForType, kubernetesStatusShape } from '../../relay/error-shapes.js';
import { readUnverifiedClaims } from '../../tokens/unverified-claims.js';
import { AGENT_PATH_PREFIX } from './routing.js';
import { tokenFromHeaders } from './token-in-headers.js';
import type { AnyRequest } from './types.js';

function typeInPath(url: string): string | undefined {
  if (!url.startsWith(AGENT_PATH_PREFIX)) return undefined;
  return url.slice(AGENT_PATH_PREFIX.length).split('/', 3)[1];
}

function typeInToken(req: AnyRequest): string | undefined {
  const token = tokenFromHeaders(req.headers);
  if (!token) return undefined;
  try {
    const type = readUnverifiedClaims(token).type;
    return typeof type === 'string' ? type : undefined;
  } catch {
    return undefined;
  }
}

/** client-go's default User-Agent: "<program>/<version> (<os>/<arch>) kubernetes/<commit>". */
function isKubernetesClient(req: AnyRequest): boolean {
  const ua = req.headers['user-agent'];
  return typeof ua === 'string' && (ua.startsWith('kubectl') || ua.includes(' kubernetes/'));
}

export function routeErrorShape(req: AnyRequest): ErrorShape {
  const type = typeInPath(req.url ?? '/') ?? typeInToken(req);
  if (type !== undefined) return errorShapeForType(type);
  return isKubernetesClient(req) ? kubernetesStatusShape : errorShapeForType(undefined);
}
