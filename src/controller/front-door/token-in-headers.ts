// Where clients put a ferry JWT, for the front door and the control API alike.
import type { IncomingHttpHeaders } from 'node:http';

/** X-Ferry-Token, birger's X-Opsmx-Token, Bearer, or the Basic password. */
export function tokenFromHeaders(headers: IncomingHttpHeaders): string | undefined {
  const direct = headers['x-ferry-token'] ?? headers['x-opsmx-token'];
  if (typeof direct === 'string' && direct !== '') return direct.trim();
  const auth = headers.authorization;
  if (typeof auth !== 'string') return undefined;
  const space = auth.indexOf(' ');
  if (space < 0) return undefined;
  const scheme = auth.slice(0, space).toLowerCase();
  const value = auth.slice(space + 1).trim();
  if (scheme === 'bearer') return value;
  if (scheme === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon >= 0 ? decoded.slice(colon + 1) : undefined;
  }
  return undefined;
}
