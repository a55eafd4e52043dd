// IP addresses as the raw bytes an iPAddress SAN holds (4 or 16 bytes).
import { isIPv4, isIPv6 } from 'node:net';

function v4Bytes(ip: string): number[] {
  return ip.split('.').map(Number);
}

/** Returns undefined for anything that is not a literal IPv4/IPv6 address. */
export function ipToBytes(ip: string): Buffer | undefined {
  if (isIPv4(ip)) return Buffer.from(v4Bytes(ip));
  if (!isIPv6(ip) || ip.includes('%')) return undefined;
  // An embedded IPv4 tail (::ffff:1.2.3.4) counts as two 16-bit groups.
  let text = ip;
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (isIPv4(tail)) {
    const [a = 0, b = 0, c = 0, d = 0] = v4Bytes(tail);
    text = `${text.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', rest] = text.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = rest === undefined || rest === '' ? [] : rest.split(':');
  const zeros = rest === undefined ? 0 : 8 - left.length - right.length;
  const groups = [...left, ...Array<string>(zeros).fill('0'), ...right];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}
