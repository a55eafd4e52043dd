// Process tests and benchmarks run bin/ferry, which runs dist/: an edit under src/ (or
// proto/) without a rebuild would be tested as it was. This check refuses that loudly.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The newest modification time of any file under `dir` (ms), or 0 when there is none. */
export function newestMtime(dir: string): number {
  let newest = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true, recursive: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    if (!e.isFile()) continue;
    newest = Math.max(newest, statSync(join(e.parentPath, e.name)).mtimeMs);
  }
  return newest;
}

/** Why `root`'s dist/src cannot be trusted to be its src/ and proto/, or undefined when it can. */
export function distStaleness(root: string): string | undefined {
  const built = newestMtime(join(root, 'dist', 'src'));
  if (built === 0) return `there is no ${join(root, 'dist', 'src')}: run npm run build`;
  const source = Math.max(newestMtime(join(root, 'src')), newestMtime(join(root, 'proto')));
  if (source > built) return `dist/ is older than src/: run npm run build (src/ or proto/ changed at ${new Date(source).toISOString()}, dist/src was built at ${new Date(built).toISOString()})`;
  return undefined;
}

/** Throws when dist/ is missing or older than the sources. */
export function assertDistFresh(root: string): void {
  const why = distStaleness(root);
  if (why) throw new Error(why);
}
