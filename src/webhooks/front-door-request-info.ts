// What the webhooks are told about a front-door request: the client's address and version.
import type { FrontDoorRequest } from '../controller/front-door/types.js';

export type RemoteAddressOf = (req: FrontDoorRequest) => string;

/** The client's `ip:port` (ContainerSSH's form; an IPv6 address in brackets), "0.0.0.0:0" when unknown. */
export const defaultRemoteAddressOf: RemoteAddressOf = (req) => {
  if (req.remoteAddress === '') return '0.0.0.0:0';
  const host = req.remoteAddress.includes(':') ? `[${req.remoteAddress}]` : req.remoteAddress;
  return `${host}:${req.remotePort}`;
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
