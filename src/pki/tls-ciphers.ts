// Which TLS 1.3 suite ferry's own links prefer. Node (like OpenSSL) puts AES-256-GCM first;
// AES-128-GCM costs less per byte on CPUs with AES instructions and is what Go (kubectl) and
// browsers pick there. Measured here (bench/README.md, "Cipher suites"): 1.26 CPU s/GB for
// AES-128-GCM, 1.35 for AES-256-GCM, 1.47 for ChaCha20-Poly1305, encrypt and decrypt over
// loopback. FERRY_TLS_CIPHERS (an OpenSSL cipher list) replaces the choice, on both ends.
import { DEFAULT_CIPHERS } from 'node:tls';

const TLS13_PREFERRED = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'];

/** The `ciphers` option for ferry's TLS servers and clients: TLS 1.3 suites in our order, then Node's TLS 1.2 list. */
export function ferryCiphers(env: NodeJS.ProcessEnv = process.env): string {
  const custom = env['FERRY_TLS_CIPHERS']?.trim();
  if (custom) return custom;
  const tls12 = DEFAULT_CIPHERS.split(':').filter((c) => !c.startsWith('TLS_'));
  return [...TLS13_PREFERRED, ...tls12].join(':');
}
