// HTTP header rules for both relay roles, in one place: the one cleaner (hop-by-hop,
// ferry-private, client credentials and impersonation), and the conversions between
// Node's header shapes and the tunnel's ordered name/value list (only HTTP code uses them).
import type { OutgoingHttpHeaders } from 'node:http';
import type { Header, HeaderIn } from '../tunnel/types.js';

/** RFC 9110 §7.6.1 connection-specific headers, plus HTTP/2 pseudo-headers. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'http2-settings',
]);

/** Headers only ferry itself reads; they never travel past the hop that used them (every X-Ferry-*). */
const FERRY_PRIVATE = new Set(['x-opsmx-token']);
const FERRY_PREFIX = 'x-ferry-';

/** Headers that carry a client's own credentials or identity claims. */
const CLIENT_AUTH = new Set(['authorization', 'proxy-authorization']);

function isImpersonationHeader(lower: string): boolean {
  return lower.startsWith('impersonate-');
}

/** rawHeaders is [name, value, name, value, …]: order and repeats survive. */
export function fromRawHeaders(raw: string[]): Header[] {
  const out: Header[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push({ name: raw[i]!, value: raw[i + 1]! });
  return out;
}

/** Groups a header list for http.request / res.writeHead; repeats become arrays. */
export function toNodeHeaders(list: readonly HeaderIn[]): OutgoingHttpHeaders {
  const out: Record<string, string | string[]> = {};
  for (const { name, value } of list) {
    const key = name.toLowerCase();
    const prev = out[key];
    if (prev === undefined) out[key] = value;
    else if (Array.isArray(prev)) prev.push(value);
    else out[key] = [prev, value];
  }
  return out;
}

/** Names listed in Connection values that are not hop-by-hop already (RFC 9110 §7.6.1). */
function connectionTokens(values: string): Set<string> {
  const tokens = new Set<string>();
  for (const t of values.split(',')) {
    const token = t.trim().toLowerCase();
    if (token !== '' && !HOP_BY_HOP.has(token)) tokens.add(token);
  }
  return tokens;
}

export interface CleanOptions {
  /** Keep Upgrade/Connection (and Sec-WebSocket-*) for protocol upgrades. */
  keepUpgrade?: boolean;
  /** Drop the client's Authorization/Proxy-Authorization and Impersonate-*. */
  dropClientAuth?: boolean;
}

const PLAIN: CleanOptions = {};

/** Removes hop-by-hop, ferry-private and (optionally) client credential headers. */
export function cleanHeaders(list: readonly HeaderIn[], opts: CleanOptions = PLAIN): Header[] {
  const out: Header[] = [];
  let connectionValues: string | undefined;
  // One pass, each name lowercased once; the headers Connection names are dropped after.
  for (const h of list) {
    const lower = h.name.toLowerCase();
    if (lower === 'connection') connectionValues = connectionValues === undefined ? h.value : `${connectionValues},${h.value}`;
    if (lower.startsWith(':') || lower.startsWith(FERRY_PREFIX) || FERRY_PRIVATE.has(lower)) continue;
    if (opts.dropClientAuth && (CLIENT_AUTH.has(lower) || isImpersonationHeader(lower))) continue;
    const upgradeHeader = lower === 'upgrade' || lower === 'connection';
    if (upgradeHeader && opts.keepUpgrade) {
      out.push(h);
      continue;
    }
    if (HOP_BY_HOP.has(lower)) continue;
    out.push(h);
  }
  // Upgrades keep what Connection names (Sec-WebSocket-*); "keep-alive" alone names nothing new.
  if (connectionValues === undefined || opts.keepUpgrade) return out;
  const named = connectionTokens(connectionValues);
  return named.size === 0 ? out : out.filter((h) => !named.has(h.name.toLowerCase()));
}

