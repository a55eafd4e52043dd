// Token sign/verify throughput on one core: ferry's TokenIssuer.issue and TokenVerifier.verify
// (with revocation lookup, with and without the verified-token cache), sequential and with
// 64 in flight (WebCrypto work is async and runs partly off the main thread).
// Run: node --import=./node_modules/@tapjs/typescript/dist/esm/import.mjs bench/tokens/sign-verify.ts
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RevocationList, TokenIssuer, TokenKeyStore, TokenVerifier, controlAudience } from '../../src/tokens/index.js';

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 2);
const dir = await mkdtemp(join(tmpdir(), 'ferry-bench-tokens-'));
try {
  const store = await TokenKeyStore.open(join(dir, 'keys'), { issuer: 'https://bench' });
  await store.rotate(); // two keys, as after a rotation
  const revocations = await RevocationList.open(join(dir, 'revoked.json'));
  for (let i = 0; i < 1000; i++) await revocations.revokeJti(`old-${i}`);
  const issuer = new TokenIssuer(store);
  const verifier = new TokenVerifier(store, { revocations, cacheSize: 0 });
  const cachedVerifier = new TokenVerifier(store, { revocations });
  const request = { purpose: 'control' as const, sub: 'bench', aud: controlAudience(), ttlSeconds: 600 };
  const { token } = await issuer.issue(request);
  const verify = (): Promise<unknown> => verifier.verify(token, { audience: controlAudience() });
  const verifyCached = (): Promise<unknown> => cachedVerifier.verify(token, { audience: controlAudience() });
  const sign = (): Promise<unknown> => issuer.issue(request);

  const ops = [['sign', sign], ['verify (no cache)', verify], ['verify (cache hit)', verifyCached]] as const;
  for (const [name, op] of ops) {
    await rate(op, 1, 0.3); // warm up
    console.log(`${name.padEnd(18)} sequential: ${(await rate(op, 1, SECONDS)).toFixed(0)} ops/s`);
    console.log(`${name.padEnd(18)} 64 in flight: ${(await rate(op, 64, SECONDS)).toFixed(0)} ops/s`);
  }
  console.log(`token length: ${token.length} bytes`);
} finally {
  await rm(dir, { recursive: true, force: true });
}

async function rate(op: () => Promise<unknown>, concurrency: number, seconds: number): Promise<number> {
  const deadline = performance.now() + seconds * 1000;
  let done = 0;
  const start = performance.now();
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
