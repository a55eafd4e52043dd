// What a registry API request needs of a token: the resource and actions for its path
// and method (distribution's routes), so the front door checks a client's token before
// the request crosses the tunnel, and the agent asks its registry for the same scope.
import type { Access } from './scope.js';

const REPO_PATH = /^\/v2\/(.+)\/(tags\/list|manifests\/[^/]+|blobs\/uploads(?:\/[^/]*)?|blobs\/[^/]+)$/;

/** The scopes a request needs; [] for `/v2/` (any valid token); undefined: not a registry API path. */
export function requiredAccess(method: string, url: string): Access[] | undefined {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  if (path === '/v2/' || path === '/v2') return [];
  if (path === '/v2/_catalog') return [{ type: 'registry', name: 'catalog', actions: ['*'] }];
  const m = REPO_PATH.exec(path);
  if (!m) return undefined;
  const name = m[1]!;
  const read = method === 'GET' || method === 'HEAD';
  const actions = read ? ['pull'] : method === 'DELETE' ? ['delete'] : ['pull', 'push'];
  const need: Access[] = [{ type: 'repository', name, actions }];
  // A cross-repository mount reads the source repository; the registry falls back to a
  // plain upload when the token lacks that, so the front door does not demand it.
  return need;
}

/** The source repository of a cross-repository blob mount (`?mount=…&from=…`), if any. */
export function mountSource(url: string): string | undefined {
  const q = url.indexOf('?');
  if (q < 0) return undefined;
  const params = new URLSearchParams(url.slice(q + 1));
  return params.get('mount') !== null ? (params.get('from') ?? undefined) : undefined;
}

/** Does `granted` cover every action of `need`? */
export function covers(granted: readonly Access[], need: readonly Access[]): boolean {
  return need.every((n) => {
    const g = granted.filter((x) => x.type === n.type && x.name === n.name).flatMap((x) => x.actions);
    return n.actions.every((a) => g.includes(a) || g.includes('*'));
  });
}
