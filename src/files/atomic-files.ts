// Writing files safely (keys, certificates, the state store's tables). Every file goes to a temp name in the same directory and is
// renamed into place, so readers never see a half-written key and a crash leaves the
// old file intact. Secrets are created 0600 from the start (not chmod-ed afterwards).
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { FerryError, messageOf } from '../errors.js';

export const SECRET_MODE = 0o600;
export const PUBLIC_MODE = 0o644;

export interface FileToWrite {
  path: string;
  data: string | Uint8Array;
  mode: number;
}

function ioError(path: string, err: unknown): FerryError {
  const code = (err as NodeJS.ErrnoException).code;
  return new FerryError('FERRY_ERR_IO', `cannot write ${path} (${code ?? messageOf(err)})`, { cause: err });
}

function tempNameFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
}

async function writeTemp(path: string, data: string | Uint8Array, mode: number): Promise<string> {
  const tmp = tempNameFor(path);
  let fh;
  try {
    fh = await open(tmp, 'wx', mode);
    await fh.writeFile(data);
    // The umask may have narrowed a public file's mode; make it exactly what we asked.
    await fh.chmod(mode);
    await fh.sync();
  } catch (err) {
    await fh?.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw ioError(path, err);
  }
  await fh.close();
  return tmp;
}

/**
 * Writes all files or none: every temp file is written first, then all are renamed.
 * If any write fails, the temp files are removed and no target is touched. (A rename
 * failing half-way is still possible in theory, e.g. the disk vanishing, but every
 * cause we can check for is checked before the first rename.)
 */
export async function writeFilesAtomically(files: readonly FileToWrite[]): Promise<void> {
  // rename() over a directory fails; find that before replacing anything.
  for (const f of files) {
    const st = await lstat(f.path).catch(() => undefined);
    if (st && !st.isFile()) throw new FerryError('FERRY_ERR_IO', `cannot write ${f.path} (not a regular file)`);
  }
  const temps: Array<{ tmp: string; path: string }> = [];
  try {
    for (const f of files) temps.push({ tmp: await writeTemp(f.path, f.data, f.mode), path: f.path });
  } catch (err) {
    await Promise.all(temps.map((t) => unlink(t.tmp).catch(() => undefined)));
    throw err;
  }
  for (const t of temps) {
    try {
      await rename(t.tmp, t.path);
    } catch (err) {
      await Promise.all(temps.map((x) => unlink(x.tmp).catch(() => undefined)));
      throw ioError(t.path, err);
    }
  }
}

export async function writeSecretFile(path: string, data: string | Uint8Array): Promise<void> {
  await writeFilesAtomically([{ path, data, mode: SECRET_MODE }]);
}

export async function writePublicFile(path: string, data: string | Uint8Array): Promise<void> {
  await writeFilesAtomically([{ path, data, mode: PUBLIC_MODE }]);
}

/**
 * Creates `dir` if needed and proves it is writable by creating and removing a probe
 * file (access(W_OK) lies for root and on read-only mounts). Throws naming the dir.
 */
export async function ensureWritableDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o755 });
    const probe = tempNameFor(join(dir, 'probe'));
    const fh = await open(probe, 'wx', SECRET_MODE);
    await fh.close();
    await unlink(probe);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new FerryError('FERRY_ERR_IO', `output directory ${dir} is not writable (${code ?? messageOf(err)})`, { cause: err });
  }
}

