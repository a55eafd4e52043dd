// How the file store maps a group of keys onto files. Each table owns some key prefixes
// and reads/writes them in the format ferry has always used for them (revocations.json,
// agents.json, token-keys/*.pem), so an existing data folder keeps working unchanged.
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { z } from 'zod';
import { FerryError, messageOf } from '../errors.js';
import type { JsonValue } from './store.js';

export interface FileTable {
  /** Key prefixes held here; '' holds everything no other table claims. */
  readonly prefixes: readonly string[];
  /** Folders to fs.watch for changes by other processes. */
  readonly watchDirs: readonly string[];
  /** Changes whenever the table's files change: lets the watch poller skip unchanged tables. */
  stamp(): Promise<string>;
  /** Every entry (full keys). A missing file is an empty table. */
  load(): Promise<Map<string, JsonValue>>;
  /** Write the new content; called under the store's lock with what load() returned. */
  save(next: ReadonlyMap<string, JsonValue>, previous: ReadonlyMap<string, JsonValue>): Promise<void>;
  /** Where a key lives, for messages. */
  describe(key: string): string;
}

/** inode, size, mtime and ctime: an atomic rename changes the inode (which may be a recycled one, so the times too). */
export async function fileStamp(file: string): Promise<string> {
  const st = await stat(file).catch(() => undefined);
  return st ? `${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}` : '-';
}

export async function dirStamp(dir: string, match: RegExp): Promise<string> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const parts = await Promise.all(names.filter((n) => match.test(n)).sort().map(async (n) => `${n}=${await fileStamp(join(dir, n))}`));
  return parts.join(',');
}

/** The file's text, or undefined when it does not exist. */
export async function readOptional(file: string, what: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new FerryError('FERRY_ERR_IO', `cannot read ${what} ${file}: ${messageOf(err)}`, { cause: err });
  }
}

/** A JSON file checked against its schema; undefined when missing. Errors name the file (`what`). */
export async function readJsonFile<T extends z.ZodTypeAny>(file: string, what: string, schema: T): Promise<z.infer<T> | undefined> {
  const text = await readOptional(file, what);
  if (text === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text) as unknown;
  } catch {
    throw new FerryError('FERRY_ERR_BAD_CONFIG', `${what} ${file} is not valid JSON`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
    throw new FerryError('FERRY_ERR_BAD_CONFIG', `${what} ${file} is malformed${where}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

/** The part of a key after its prefix, or undefined when it is not under the prefix. */
export function rest(key: string, prefix: string): string | undefined {
  return key.startsWith(prefix) && key.length > prefix.length ? key.slice(prefix.length) : undefined;
}

export function asRecord(value: JsonValue): Record<string, JsonValue> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new FerryError('FERRY_ERR_BAD_INPUT', 'this state entry must be a JSON object');
  }
  return value;
}
