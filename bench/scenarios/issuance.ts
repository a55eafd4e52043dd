// Scenario 8: certificate issuance (CA.issueClient: new P-256 key + signed certificate) and
// JWT signing / verification (TokenIssuer / TokenVerifier with a revocation list), in this
// process, one core. Only ferry has these, so only its column is filled.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCA } from '../../src/pki/index.js';
import { RevocationList, TokenIssuer, TokenKeyStore, TokenVerifier, serviceAudience } from '../../src/tokens/index.js';
import type { World } from '../peers/setup.js';
import type { ResultRow, RunOptions } from '../report/result.js';
import { minTarget } from '../report/targets.js';

async function rate(op: () => Promise<unknown>, concurrency: number, seconds: number): Promise<number> {
  const start = performance.now();
  const deadline = start + seconds * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        await op();
        done++;
      }
    }),
  );
  return done / ((performance.now() - start) / 1000);
}

export async function issuance(_world: World, opts: RunOptions): Promise<ResultRow[]> {
  const seconds = opts.quick ? 1 : 3;
  const dir = await mkdtemp(join(tmpdir(), 'ferry-bench-tokens-'));
  try {
    const ca = await createCA();
    const store = await TokenKeyStore.open(join(dir, 'keys'), { issuer: 'https://bench' });
    await store.rotate(); // two keys verify, as after a rotation
    const revocations = await RevocationList.open(join(dir, 'revoked.json'));
    for (let i = 0; i < 1000; i++) await revocations.revokeJti(`old-${i}`);
    const issuer = new TokenIssuer(store);
    const aud = serviceAudience('bench', 'x-bench', 'files');
    const request = { purpose: 'service' as const, sub: 'files.bench', aud, agent: 'bench', type: 'x-bench', name: 'files', ttlSeconds: 600 };
    const { token } = await issuer.issue(request);
    const uncached = new TokenVerifier(store, { revocations, cacheSize: 0 });
    const cached = new TokenVerifier(store, { revocations });
    let n = 0;
    const ops: [string, () => Promise<unknown>, boolean][] = [
      ['client certificates issued (new key + sign)', () => ca.issueClient({ kind: 'service', agent: 'bench', type: 'x-bench', name: `s${n++}` }), true],
      ['JWTs signed (ES256)', () => issuer.issue(request), false],
      ['JWTs verified, no cache', () => uncached.verify(token, { audience: aud }), false],
      ['JWTs verified, cache hit', () => cached.verify(token, { audience: aud }), false],
    ];
    const rows: ResultRow[] = [];
    for (const [metric, op, isCert] of ops) {
      await rate(op, 1, 0.2); // warm up
      const seq = await rate(op, 1, seconds);
      const par = await rate(op, 16, seconds);
      opts.log(`  ${metric}: ${seq.toFixed(0)}/s sequential, ${par.toFixed(0)}/s with 16 in flight`);
      const target = isCert ? minTarget(Math.max(seq, par), 500, '≥ 500/s') : undefined;
      rows.push({ scenario: '8 identity', metric: `${metric}, best of 1 or 16 in flight`, unit: '/s', values: { ferry: Math.max(seq, par) }, higherIsBetter: true, target });
    }
    return rows;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
