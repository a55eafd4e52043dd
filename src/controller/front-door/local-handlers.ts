// The front door's local handlers: answers the controller gives itself (an OIDC login,
// a registry's /auth, a status page), mounted by path prefix before or after start.
import { FerryError } from '../../errors.js';
import type { AnyRequest, LocalHandler } from './types.js';

/** '/status' matches '/status', '/status/' and '/status/x', not '/statusx'. */
function underPrefix(path: string, prefix: string): boolean {
  if (!path.startsWith(prefix)) return false;
  return path.length === prefix.length || prefix.endsWith('/') || path.charCodeAt(prefix.length) === 47; // '/'
}

/** The host a request names, without its port. */
function hostOf(req: AnyRequest): string {
  const authority = req.headers.host ?? req.headers[':authority'];
  if (typeof authority !== 'string') return '';
  const end = authority.startsWith('[') ? authority.indexOf(']') + 1 : authority.lastIndexOf(':');
  return (end > 0 ? authority.slice(0, end) : authority).toLowerCase();
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
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    let host: string | undefined;
    for (const h of list) {
      if (!underPrefix(path, h.path)) continue;
      if (h.host !== undefined && h.host.toLowerCase() !== (host ??= hostOf(req))) continue;
      return h;
    }
    return undefined;
  }
}
