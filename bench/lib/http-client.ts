// undici clients for the scenarios the load tools cannot drive (aborts, restarts): TLS
// unverified, like h2load and curl -k here, and no body or header timeouts.
import { Agent } from 'undici';

export function benchClient(connections?: number): Agent {
  return new Agent({
    connect: { rejectUnauthorized: false, servername: 'localhost' },
    connections: connections ?? null,
    bodyTimeout: 0,
    headersTimeout: 0,
    keepAliveTimeout: 60_000,
  });
}
