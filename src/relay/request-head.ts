// The one request-head builder: what the sending side of the relay puts on the tunnel
// for a client's request (the front door's and the reverse listener's alike).
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Http2ServerRequest } from 'node:http2';
import type { Caller, RequestHead } from '../tunnel/types.js';
import { cleanHeaders, fromRawHeaders } from './headers.js';

export type AnyRequest = IncomingMessage | Http2ServerRequest;

/** Which service on the far side serves the request. */
export interface RelayTarget {
  type: string;
  name: string;
}

// Client credentials stop here (the serving side strips them again): a ferry JWT never
// crosses the tunnel. Upgrade headers stay: the serving side cleans again knowing head.upgrade.
const SEND_CLEAN = { keepUpgrade: true, dropClientAuth: true } as const;

/** `path` replaces the request's own when the sender took a routing prefix off it. */
export function requestHeadOf(req: AnyRequest, target: RelayTarget, caller: Caller | undefined, scheme: 'http' | 'https', path?: string): RequestHead {
  const headers = cleanHeaders(fromRawHeaders(req.rawHeaders), SEND_CLEAN);
  const authority = req.headers[':authority'];
  if (req.headers.host === undefined && typeof authority === 'string') headers.push({ name: 'host', value: authority });
  return {
    method: req.method ?? 'GET',
    path: path ?? req.url ?? '/',
    headers,
    serviceType: target.type,
    serviceName: target.name,
    caller,
    requestId: randomUUID(),
    remoteAddress: req.socket.remoteAddress ?? '',
    scheme,
  };
}
