// revocations.json: `revocations/jti/<jti>` → {revokedAt, expiresAt?} and
// `revocations/serial/<hex>` → {revokedAt}, in the file format of ferry ≤ this release.
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { FerryError, messageOf } from '../../errors.js';
import { writeSecretFile } from '../../files/atomic-files.js';
import { fileStamp, readJsonFile, rest, type FileTable } from '../file-table.js';
import type { JsonValue } from '../store.js';

export const JTI_PREFIX = 'revocations/jti/';
export const SERIAL_PREFIX = 'revocations/serial/';

const JTI_ENTRY = z.object({ expiresAt: z.number().int().nonnegative().optional(), revokedAt: z.number().int().nonnegative() });
const SERIAL_ENTRY = z.object({ revokedAt: z.number().int().nonnegative() });
const FILE_SCHEMA = z.object({
  version: z.literal(1),
  jtis: z.array(JTI_ENTRY.extend({ jti: z.string().min(1) })),
  serials: z.array(SERIAL_ENTRY.extend({ serial: z.string().regex(/[0-9a-f]/i, 'not a hex serial') })),
});

export function revocationsTable(file: string): FileTable {
  const what = `revocation list ${file}`;
  return {
    prefixes: ['revocations/'],
    watchDirs: [dirname(file)],
    stamp: () => fileStamp(file),
    describe: () => file,
    async load() {
      const entries = new Map<string, JsonValue>();
      const data = await readJsonFile(file, 'revocation list', FILE_SCHEMA);
      for (const { jti, ...entry } of data?.jtis ?? []) entries.set(JTI_PREFIX + jti, entry);
      for (const { serial, ...entry } of data?.serials ?? []) entries.set(SERIAL_PREFIX + serial, entry);
      return entries;
    },
    async save(next) {
      const jtis: JsonValue[] = [];
      const serials: JsonValue[] = [];
      for (const [key, value] of next) {
        const jti = rest(key, JTI_PREFIX);
        const serial = rest(key, SERIAL_PREFIX);
        if (jti !== undefined) jtis.push({ jti, ...checked(JTI_ENTRY, value, key) });
        else if (serial !== undefined) serials.push({ serial, ...checked(SERIAL_ENTRY, value, key) });
        else throw new FerryError('FERRY_ERR_BAD_INPUT', `${key}: revocation keys are ${JTI_PREFIX}<jti> or ${SERIAL_PREFIX}<hex>`);
      }
      try {
        await mkdir(dirname(file), { recursive: true, mode: 0o700 });
        await writeSecretFile(file, `${JSON.stringify({ version: 1, jtis, serials }, null, 2)}\n`);
      } catch (err) {
        throw new FerryError('FERRY_ERR_IO', `cannot write ${what}: ${messageOf(err)}`, { cause: err });
      }
    },
  };
}

function checked<T extends z.ZodTypeAny>(schema: T, value: JsonValue, key: string): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new FerryError('FERRY_ERR_BAD_INPUT', `${key}: not a revocation entry`);
  return parsed.data;
}
