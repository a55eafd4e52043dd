// Listen addresses as operators write them: ":9002", "127.0.0.1:9002", "[::1]:9002",
// "localhost:9002", or a bare port ("9002", 9002, "0" for an ephemeral port).
import { isIPv6 } from 'node:net';
import { z } from 'zod';

export interface ListenAddress {
  host: string;
  port: number;
}

export const DEFAULT_LISTEN_HOST = '0.0.0.0';
const HOSTNAME = /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/;

function parsePort(text: string): number | undefined {
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const port = Number(text);
  return port <= 65535 ? port : undefined;
}

/** host:port from its text form; undefined when malformed. */
export function parseListen(text: string): ListenAddress | undefined {
  const value = text.trim();
  const bare = parsePort(value);
  if (bare !== undefined) return { host: DEFAULT_LISTEN_HOST, port: bare };
  const bracketed = /^\[([^\]]+)\]:(\d+)$/.exec(value);
  if (bracketed) {
    const port = parsePort(bracketed[2]!);
    return isIPv6(bracketed[1]!) && port !== undefined ? { host: bracketed[1]!, port } : undefined;
  }
  const colon = value.lastIndexOf(':');
  if (colon < 0) return undefined;
  const host = value.slice(0, colon);
  const port = parsePort(value.slice(colon + 1));
  if (port === undefined) return undefined;
  if (host === '') return { host: DEFAULT_LISTEN_HOST, port };
  // An unbracketed IPv6 literal ("::1:9002") is ambiguous; insist on brackets.
  return HOSTNAME.test(host) ? { host, port } : undefined;
}

/** The text form, bracketing IPv6 hosts so it parses back. */
export function formatListen(address: ListenAddress): string {
  return isIPv6(address.host) ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}

export const listenSchema = z.unknown().transform((input, ctx): ListenAddress => {
  const parsed =
    typeof input === 'number' && Number.isInteger(input)
      ? parseListen(String(input))
      : typeof input === 'string'
        ? parseListen(input)
        : undefined;
  if (!parsed) {
    ctx.addIssue({
      code: 'custom',
      message: 'expected a listen address such as ":9002", "127.0.0.1:9002", "[::1]:9002" or a port',
      input,
    });
    return z.NEVER;
  }
  return parsed;
});
