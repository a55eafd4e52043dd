// token-keys/: `token-keys/<createdAtMs>` → {pem, chain?} as token-key-<ms>.pem (PKCS#8) and,
// when certified, token-key-<ms>.crt (PEM chain, leaf first) beside it: the layout operators
// already drop keys into.
import { mkdir, readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { FerryError, messageOf } from '../../errors.js';
import { writeSecretFile } from '../../files/atomic-files.js';
import { dirStamp, rest, type FileTable } from '../file-table.js';
import type { JsonValue } from '../store.js';

export const TOKEN_KEY_PREFIX = 'token-keys/';
const KEY_FILE = /^token-key-(\d+)\.(pem|crt)$/;

export function tokenKeysTable(dir: string): FileTable {
  const pemOf = (id: string) => join(dir, `token-key-${id}.pem`);
  const crtOf = (id: string) => join(dir, `token-key-${id}.crt`);
  const idOf = (key: string): string => {
    const id = rest(key, TOKEN_KEY_PREFIX);
    if (id === undefined || !/^\d+$/.test(id)) throw new FerryError('FERRY_ERR_BAD_INPUT', `${key}: token key ids are digits`);
    return id;
  };
  return {
    prefixes: [TOKEN_KEY_PREFIX],
    watchDirs: [dir],
    stamp: () => dirStamp(dir, KEY_FILE),
    describe: (key) => pemOf(rest(key, TOKEN_KEY_PREFIX) ?? '?'),
    async load() {
      const entries = new Map<string, JsonValue>();
      let names: string[];
      try {
        names = await readdir(dir);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return entries;
        throw new FerryError('FERRY_ERR_BAD_CONFIG', `cannot read token key directory ${dir}: ${messageOf(err)}`, { cause: err });
      }
      for (const name of names) {
        const match = KEY_FILE.exec(name);
        if (!match || match[2] !== 'pem') continue;
        const id = match[1]!;
        const pem = await readKeyText(pemOf(id));
        // A key whose file vanished between readdir and read was removed: not an error.
        if (pem === undefined) continue;
        const chain = await readKeyText(crtOf(id));
        entries.set(TOKEN_KEY_PREFIX + id, chain === undefined ? { pem } : { pem, chain });
      }
      return entries;
    },
    async save(next, previous) {
      for (const key of previous.keys()) {
        if (next.has(key)) continue;
        const id = idOf(key);
        for (const file of [pemOf(id), crtOf(id)]) await removeFile(file);
      }
      for (const [key, value] of next) {
        const old = previous.get(key);
        if (old !== undefined && JSON.stringify(old) === JSON.stringify(value)) continue;
        const id = idOf(key);
        const { pem, chain } = keyValue(value, key);
        await mkdir(dir, { recursive: true, mode: 0o700 });
        // Chain first: a watcher that reloads on the .pem appearing must already find its .crt.
        if (chain !== undefined) await writeSecretFile(crtOf(id), chain);
        else await removeFile(crtOf(id));
        await writeSecretFile(pemOf(id), pem);
      }
    },
  };
}

function keyValue(value: JsonValue, key: string): { pem: string; chain?: string } {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && typeof value.pem === 'string') {
    if (value.chain === undefined || typeof value.chain === 'string') return { pem: value.pem, chain: value.chain };
  }
  throw new FerryError('FERRY_ERR_BAD_INPUT', `${key}: a token key entry is {pem, chain?}`);
}

async function readKeyText(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new FerryError('FERRY_ERR_BAD_CONFIG', `cannot read token key file ${file}: ${messageOf(err)}`, { cause: err });
  }
}

async function removeFile(file: string): Promise<void> {
  await unlink(file).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw new FerryError('FERRY_ERR_IO', `cannot remove ${file}: ${err.message}`);
  });
}
