// state.json: every key no format-specific table claims, as one JSON object. New kinds of
// state land here without a file format of their own.
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { writeSecretFile } from '../../files/atomic-files.js';
import { fileStamp, readJsonFile, type FileTable } from '../file-table.js';
import type { JsonValue } from '../store.js';

const FILE_SCHEMA = z.object({ version: z.literal(1), entries: z.record(z.string(), z.unknown()) });

export function genericTable(file: string): FileTable {
  return {
    prefixes: [''],
    watchDirs: [dirname(file)],
    stamp: () => fileStamp(file),
    describe: (key) => `${file} (${key})`,
    async load() {
      const data = await readJsonFile(file, 'state file', FILE_SCHEMA);
      return new Map(Object.entries((data?.entries ?? {}) as Record<string, JsonValue>));
    },
    async save(next) {
      await mkdir(dirname(file), { recursive: true, mode: 0o700 });
      const body = { version: 1, entries: Object.fromEntries(next) };
      await writeSecretFile(file, `${JSON.stringify(body, null, 2)}\n`);
    },
  };
}
