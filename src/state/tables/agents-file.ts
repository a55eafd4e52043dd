// agents.json: `agents/<name>` → {onboardedAt} and `bootstrap-spent/<jti>` → {exp, agent},
// in the file format the control API has always written.
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { FerryError } from '../../errors.js';
import { writeSecretFile } from '../../files/atomic-files.js';
import { fileStamp, readJsonFile, rest, type FileTable } from '../file-table.js';
import type { JsonValue } from '../store.js';

export const AGENT_PREFIX = 'agents/';
export const SPENT_PREFIX = 'bootstrap-spent/';

const AGENT = z.object({ onboardedAt: z.number().int() });
const SPENT = z.object({ exp: z.number().int(), agent: z.string() });
const FILE_SCHEMA = z.object({
  version: z.literal(1),
  agents: z.record(z.string(), AGENT),
  spentBootstrap: z.array(SPENT.extend({ jti: z.string() })),
});

export function agentsTable(file: string): FileTable {
  return {
    prefixes: [AGENT_PREFIX, SPENT_PREFIX],
    watchDirs: [dirname(file)],
    stamp: () => fileStamp(file),
    describe: () => file,
    async load() {
      const entries = new Map<string, JsonValue>();
      const data = await readJsonFile(file, 'agent book', FILE_SCHEMA);
      for (const [name, agent] of Object.entries(data?.agents ?? {})) entries.set(AGENT_PREFIX + name, agent);
      for (const { jti, ...spent } of data?.spentBootstrap ?? []) entries.set(SPENT_PREFIX + jti, spent);
      return entries;
    },
    async save(next) {
      const agents: Record<string, JsonValue> = {};
      const spentBootstrap: JsonValue[] = [];
      for (const [key, value] of next) {
        const name = rest(key, AGENT_PREFIX);
        const jti = rest(key, SPENT_PREFIX);
        if (name !== undefined) agents[name] = parseEntry(AGENT, value, key);
        else if (jti !== undefined) spentBootstrap.push({ jti, ...parseEntry(SPENT, value, key) });
        else throw new FerryError('FERRY_ERR_BAD_INPUT', `${key}: not an agent book key`);
      }
      await mkdir(dirname(file), { recursive: true, mode: 0o700 });
      await writeSecretFile(file, `${JSON.stringify({ version: 1, agents, spentBootstrap }, null, 2)}\n`);
    },
  };
}

function parseEntry<T extends z.ZodTypeAny>(schema: T, value: JsonValue, key: string): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new FerryError('FERRY_ERR_BAD_INPUT', `${key}: not an agent book entry`);
  return parsed.data;
}
