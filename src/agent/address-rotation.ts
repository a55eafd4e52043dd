// Where the next connection goes. A name that resolves to one address (a load balancer, a
// Service's virtual IP) is dialled as it is; one that resolves to several (a headless
// Service: one address per replica) is dialled address by address in turn, so successive
// connections reach different replicas. TLS still checks the name, not the address.
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';

export interface DialTarget {
  address: string;
  /** The name the server certificate must carry (undefined: the address's own host). */
  serverName?: string;
}

export type LookupAll = (host: string) => Promise<string[]>;

const defaultLookup: LookupAll = async (host) => (await dnsLookup(host, { all: true })).map((a) => a.address);

/** Addresses are looked up again at most this often (replicas come and go). */
const TTL_MS = 5_000;

export class AddressRotation {
  readonly #address: string;
  readonly #serverName: string | undefined;
  readonly #lookup: LookupAll;
  readonly #host: string;
  readonly #port: string;
  #resolved: { list: string[]; at: number } = { list: [], at: -Infinity };
  #next = 0;

  constructor(address: string, serverName?: string, lookup: LookupAll = defaultLookup) {
    this.#address = address;
    this.#serverName = serverName;
    this.#lookup = lookup;
    const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(address);
    this.#host = m ? (m[1] ?? m[2] ?? '') : '';
    this.#port = m?.[3] ?? '';
  }

  async next(now = Date.now()): Promise<DialTarget> {
    const plain = { address: this.#address, serverName: this.#serverName };
    if (this.#host === '' || isIP(this.#host) !== 0) return plain;
    if (now - this.#resolved.at > TTL_MS) {
      try {
        this.#resolved = { list: [...new Set(await this.#lookup(this.#host))].sort(), at: now };
      } catch {
        // DNS trouble: dial the name and let the connection report it.
        return plain;
      }
    }
    const list = this.#resolved.list;
    if (list.length <= 1) return plain;
    const ip = list[this.#next++ % list.length]!;
    return { address: isIP(ip) === 6 ? `[${ip}]:${this.#port}` : `${ip}:${this.#port}`, serverName: this.#serverName ?? this.#host };
  }
}
