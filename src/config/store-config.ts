// The controller's `store:` section: where shared state lives (a folder for one controller
// or workers on one machine; PostgreSQL for replicas), and `replica:` / `workers:`, how
// this process takes part in a set of controllers.
import { z } from 'zod';
import { durationSchema } from './duration.js';

export const storeConfigSchema = z
  .strictObject({
    /** file (dataDir, the default) or postgres; postgres when a url is given. */
    kind: z.enum(['file', 'postgres']).optional(),
    /** postgres://user:password@host:5432/db (env FERRY_STORE_URL); prefer urlFile for the password. */
    url: z.string().regex(/^postgres(ql)?:\/\//, 'expected a postgres:// URL').optional(),
    /** A file holding the URL (a mounted Secret). */
    urlFile: z.string().min(1).optional(),
    /** 32-byte key (raw, hex or base64) that seals private keys in the database. */
    keyFile: z.string().min(1).optional(),
    /** The schema holding ferry's tables. */
    schema: z.string().regex(/^[a-z_][a-z0-9_]{0,40}$/, 'expected a lowercase SQL name').default('public'),
    /** The change feed's ping and the safety-net re-read. */
    pollInterval: durationSchema.default(2),
    /** A token is refused (503) when this replica has not heard from the store for longer. */
    maxStaleness: durationSchema.default(10),
  })
  .superRefine((store, ctx) => {
    const kind = store.kind ?? (store.url || store.urlFile ? 'postgres' : 'file');
    if (kind !== 'postgres') return;
    if (!store.url && !store.urlFile) ctx.addIssue({ code: 'custom', path: ['url'], message: 'a postgres store needs url (or urlFile, or FERRY_STORE_URL)' });
    if (store.url && store.urlFile) ctx.addIssue({ code: 'custom', path: ['urlFile'], message: 'give url or urlFile, not both' });
    if (!store.keyFile) ctx.addIssue({ code: 'custom', path: ['keyFile'], message: 'a postgres store needs keyFile (the key that seals private keys)' });
  });

export const replicaConfigSchema = z.strictObject({
  /** This replica's id (default: hostname-<random>); two live replicas must not share one. */
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'expected letters, digits, . _ - (at most 63)').optional(),
  /** How often this replica writes its heartbeat into the store. */
  heartbeat: durationSchema.default(2),
  /** A replica not heard from for this long is gone. */
  timeout: durationSchema.default(10),
});

export type StoreConfig = z.infer<typeof storeConfigSchema>;
export type ReplicaConfig = z.infer<typeof replicaConfigSchema>;

/** Relative paths are read from the config file's folder. */
export function resolveStorePaths(store: StoreConfig, at: (p: string) => string): StoreConfig & { kind: 'file' | 'postgres' } {
  const kind = store.kind ?? (store.url || store.urlFile ? 'postgres' : 'file');
  return {
    ...store,
    kind,
    ...(store.urlFile ? { urlFile: at(store.urlFile) } : {}),
    ...(store.keyFile ? { keyFile: at(store.keyFile) } : {}),
  };
}
