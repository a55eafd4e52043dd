// What the webhooks are told about a front-door request: the client's address and version.
import type { FrontDoorRequest } from '../controller/front-door/types.js';

export type RemoteAddressOf = (req: FrontDoorRequest) => string;

/**
 * The client's `ip:port`: the request's own `remoteAddress` when the front door sets one
 * (FrontDoorRequest does not carry it yet), else "0.0.0.0:0" (unknown).
 */
export const defaultRemoteAddressOf: RemoteAddressOf = (req) => {
  const own = (req as FrontDoorRequest & { remoteAddress?: unknown }).remoteAddress;
  return typeof own === 'string' && own !== '' ? own : '0.0.0.0:0';
};

export function clientVersionOf(req: FrontDoorRequest): string {
  const ua = req.headers['user-agent'];
  return typeof ua === 'string' ? ua : '';
}

/** The path without its query (a query may hold a secret). */
export function pathOnly(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}
