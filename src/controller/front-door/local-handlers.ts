// The front door's local handlers: answers the controller gives itself (an OIDC login,
// a registry's /auth, a status page), mounted by path prefix before or after start.
import { FerryError } from '../../errors.js';
import { hostOf, pathOf } from './request-path.js';
import type { AnyRequest, LocalHandler } from './types.js';

/** '/status' matches '/status', '/status/' and '/status/x', not '/statusx'. */
function underPrefix(path: string, prefix: string): boolean {
  if (!path.startsWith(prefix)) return false;
  return path.length === prefix.length || prefix.endsWith('/') || path.charCodeAt(prefix.length) === 47; // '/'
}

export class LocalHandlers {
  /** Longest path first, so '/oidc/callback' wins over '/oidc'. */
  private list: LocalHandler[] = [];

  get size(): number {
    return this.list.length;
  }

  mount(handler: LocalHandler): void {
    if (!handler.path.startsWith('/')) throw new FerryError('FERRY_ERR_BAD_CONFIG', `a local handler's path must start with '/': ${handler.path}`);
    const host = handler.host?.toLowerCase();
    if (this.list.some((h) => h.path === handler.path && h.host?.toLowerCase() === host)) {
      throw new FerryError('FERRY_ERR_EXISTS', `a local handler is already mounted at ${handler.path}`);
    }
    // A new array: a request being matched keeps the one it started with.
    this.list = [...this.list, handler].sort((a, b) => b.path.length - a.path.length);
  }

  unmount(handler: LocalHandler): void {
    this.list = this.list.filter((h) => h !== handler);
  }

  /** The handler that serves this request, if any. */
  match(req: AnyRequest): LocalHandler | undefined {
    const list = this.list;
    if (list.length === 0) return undefined;
    const path = pathOf(req);
    let host: string | undefined;
    for (const h of list) {
      if (!underPrefix(path, h.path)) continue;
      if (h.host !== undefined && h.host.toLowerCase() !== (host ??= hostOf(req))) continue;
      return h;
    }
    return undefined;
  }
}
