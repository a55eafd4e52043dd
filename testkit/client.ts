// HTTPS clients for the front door: undici with the CA pinned and an optional client
// certificate (h2 on request), and the benchmarks' unverified one.
import { readFileSync } from 'node:fs';
import { Agent } from 'undici';

export function frontDoorClient(caPem: string, opts: { cert?: string; key?: string; h2?: boolean } = {}): Agent {
  return new Agent({
    connect: {
      ca: caPem,
      cert: opts.cert ? readFileSync(opts.cert, 'utf8') : undefined,
      key: opts.key ? readFileSync(opts.key, 'utf8') : undefined,
      servername: 'localhost',
    },
    allowH2: opts.h2 ?? false,
    bodyTimeout: 0,
    headersTimeout: 0,
  });
}

/**
 * For the benchmark scenarios the load tools cannot drive (aborts, restarts): TLS unverified,
 * like h2load and curl -k there, and no body or header timeouts.
 */
export function benchClient(connections?: number): Agent {
  return new Agent({
    connect: { rejectUnauthorized: false, servername: 'localhost' },
    connections: connections ?? null,
    bodyTimeout: 0,
    headersTimeout: 0,
    keepAliveTimeout: 60_000,
  });
}
