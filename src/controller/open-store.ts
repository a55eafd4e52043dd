// Which state store a controller runs on: its dataDir (one controller, or workers on one
// machine) or PostgreSQL (replicas), as `store:` says. The database down at start is an
// error here (the caller exits non-zero); down later, the store keeps serving what it knows.
import { readFile } from 'node:fs/promises';
import type { ControllerConfig } from '../config/controller-config.js';
import { FerryError, messageOf } from '../errors.js';
import type { LogFn } from '../observability/log-fn.js';
import { describeUrl, FileStore, PgStore, ValueCipher, type StateStore } from '../state/index.js';

export async function openStore(config: ControllerConfig, log: LogFn, replicaId?: string): Promise<StateStore> {
  const store = config.store;
  if (store.kind === 'file') {
    return FileStore.open({ dir: config.dataDir, onError: (err) => log('warn', 'state: cannot re-read the data folder', { error: messageOf(err) }) });
  }
  const url = store.url ?? (await readUrlFile(store.urlFile!));
  const cipher = await ValueCipher.fromFile(store.keyFile!);
  const opened = await PgStore.open({
    url,
    schema: store.schema,
    cipher,
    pollMs: Math.max(100, store.pollInterval * 1000),
    applicationName: replicaId ? `ferry ${replicaId}`.slice(0, 63) : 'ferry',
    onEvent: (level, message) => log(level, `state: ${message}`),
  });
  log('info', 'state store opened', { store: describeUrl(url), schema: store.schema, sealedWith: cipher.keyId });
  return opened;
}

async function readUrlFile(file: string): Promise<string> {
  try {
    const url = (await readFile(file, 'utf8')).trim();
    if (!/^postgres(ql)?:\/\//.test(url)) throw new FerryError('FERRY_ERR_BAD_CONFIG', `store.urlFile ${file} does not hold a postgres:// URL`);
    return url;
  } catch (err) {
    if (err instanceof FerryError) throw err;
    throw new FerryError('FERRY_ERR_BAD_CONFIG', `cannot read store.urlFile ${file}: ${messageOf(err)}`, { cause: err });
  }
}
