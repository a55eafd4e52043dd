// The files nginx serves: 1 KiB, 256 MiB of incompressible bytes, and a sparse 1 GiB.
import { randomBytes } from 'node:crypto';
import { open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MiB, GiB } from '../lib/stats.js';

export const SMALL = '/small.bin';
export const BIG = '/big.bin';
export const HUGE = '/huge.bin';
export const BIG_BYTES = 256 * MiB;
export const HUGE_BYTES = GiB;

export async function writeFiles(dir: string): Promise<void> {
  await writeFile(join(dir, 'small.bin'), randomBytes(1024));
  const chunk = randomBytes(MiB);
  const big = await open(join(dir, 'big.bin'), 'w');
  try {
    for (let i = 0; i < BIG_BYTES / MiB; i++) await big.write(chunk);
  } finally {
    await big.close();
  }
  const huge = await open(join(dir, 'huge.bin'), 'w');
  await huge.truncate(HUGE_BYTES); // sparse: only the slow-reader scenario reads it, partly
  await huge.close();
}
