// Header work on the serving side: what a client sent is cleaned before any service sees
// it, and the serving end (an agent, or the controller for reverse requests) names itself to the upstream.
import type { IncomingHttpHeaders } from 'node:http';
import { cleanHeaders } from './headers.js';
import type { Header, RequestHeadIn } from '../tunnel/types.js';
import type { ServiceRequest } from '../services/agent-service.js';

/** undici refuses these outright; Expect: 100-continue makes no sense through a tunnel. */
const NOT_FORWARDED = new Set(['expect', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'forwarded', 'via']);

const SERVE_PLAIN = { keepUpgrade: false, dropClientAuth: true } as const;
const SERVE_UPGRADE = { keepUpgrade: true, dropClientAuth: true } as const;

export function upstreamHeaders(head: RequestHeadIn, agentName: string): Header[] {
  const cleaned = cleanHeaders(head.headers, head.upgrade ? SERVE_UPGRADE : SERVE_PLAIN).filter(
    (h) => !NOT_FORWARDED.has(h.name.toLowerCase()),
  );
  const host = head.headers.find((h) => h.name.toLowerCase() === 'host');
  if (head.remoteAddress) cleaned.push({ name: 'x-forwarded-for', value: head.remoteAddress });
  cleaned.push({ name: 'x-forwarded-proto', value: head.scheme || 'https' });
  if (host) cleaned.push({ name: 'x-forwarded-host', value: host.value });
  cleaned.push({ name: 'via', value: `1.1 ferry-agent/${agentName}` });
  return cleaned;
}

/** undici/node response headers (object form) as a tunnel header list. */
export function responseHeaderList(headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>): Header[] {
  const out: Header[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) out.push({ name, value: v });
    else out.push({ name, value });
  }
  return out;
}

/** What a service sees of a request head: cleaned headers and the caller. */
export function serviceRequestOf(head: RequestHeadIn, agentName: string): ServiceRequest {
  return {
    method: head.method,
    path: head.path,
    headers: upstreamHeaders(head, agentName),
    caller: head.caller ?? undefined,
    upgrade: head.upgrade,
  };
}
