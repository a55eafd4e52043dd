// What the front door reads of a request's target: its path (a query string may carry
// secrets: Jenkins ?token=, presigned URLs; it is never logged) and its host.
import type { AnyRequest } from './types.js';

/** The path without the query string. */
export function pathOf(req: AnyRequest): string {
  const url = req.url ?? '';
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

/** The host a request names (Host, or h2's :authority), lower case, without its port. */
export function hostOf(req: AnyRequest): string {
  const authority = req.headers.host ?? req.headers[':authority'];
  if (typeof authority !== 'string') return '';
  const end = authority.startsWith('[') ? authority.indexOf(']') + 1 : authority.lastIndexOf(':');
  return (end > 0 ? authority.slice(0, end) : authority).toLowerCase();
}
