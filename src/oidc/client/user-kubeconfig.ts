// Writes a person's kubeconfig entries like osprey does: per target one cluster and one user
// named after the target, one context per target name and per alias; entries replaced by
// name, everything else left alone, an existing context's namespace kept. The file is 0600
// and written under a lock (concurrent writers corrupted kubeconfigs: kubernetes #23964).
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parse, stringify } from 'yaml';
import { FerryError } from '../../errors.js';
import { writeSecretFile } from '../../files/atomic-files.js';
import { withLoginLock } from './login-lock.js';
import { namedListOf, type Named } from '../../config/kubeconfig-lists.js';


export interface KubeTargetEntry {
  name: string;
  aliases: string[];
  server: string;
  /** base64 of the PEM, as osprey's apiServerCA. */
  caData: string;
  /** The `user:` body (exec plugin or auth-provider). */
  user: Record<string, unknown>;
}

function upsert(list: Named[], item: Named): void {
  const i = list.findIndex((x) => x.name === item.name);
  if (i < 0) list.push(item);
  else list[i] = item;
}

export async function readKubeconfig(file: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new FerryError('FERRY_ERR_IO', `cannot read ${file}`);
  }
  const doc: unknown = parse(text);
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new FerryError('FERRY_ERR_BAD_INPUT', `${file} is not a kubeconfig (not a YAML mapping)`);
  return doc as Record<string, unknown>;
}

/** Reads, changes and writes the kubeconfig under its lock. */
export async function updateKubeconfig(file: string, change: (doc: Record<string, unknown>) => void): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  await withLoginLock(
    `${file}.lock`,
    async () => {
      const doc = await readKubeconfig(file);
      change(doc);
      await writeSecretFile(file, stringify(doc, { lineWidth: 0 }));
    },
    { waitMs: 30_000, staleMs: 60_000 },
  );
}

export function mergeTargets(doc: Record<string, unknown>, entries: readonly KubeTargetEntry[]): void {
  const clusters = namedListOf(doc, 'clusters');
  const users = namedListOf(doc, 'users');
  const contexts = namedListOf(doc, 'contexts');
  for (const e of entries) {
    upsert(clusters, { name: e.name, cluster: { server: e.server, 'certificate-authority-data': e.caData } });
    upsert(users, { name: e.name, user: e.user });
    for (const ctx of [e.name, ...e.aliases]) {
      const old = contexts.find((c) => c.name === ctx)?.['context'] as Record<string, unknown> | undefined;
      const context: Record<string, unknown> = { cluster: e.name, user: e.name };
      if (typeof old?.['namespace'] === 'string') context['namespace'] = old['namespace'];
      upsert(contexts, { name: ctx, context });
    }
  }
  doc['apiVersion'] = 'v1';
  doc['kind'] = 'Config';
  doc['clusters'] = clusters;
  doc['users'] = users;
  doc['contexts'] = contexts;
  if (typeof doc['current-context'] !== 'string' || doc['current-context'] === '') doc['current-context'] = entries[0]?.name ?? '';
  doc['preferences'] ??= {};
}

/** The `user:` body of a target in a kubeconfig, if any. */
export function userOf(doc: Record<string, unknown>, name: string): Record<string, unknown> | undefined {
  const u = namedListOf(doc, 'users').find((x) => x.name === name);
  return u?.['user'] as Record<string, unknown> | undefined;
}
