// Public API of ferry's state store.
export type { Entry, JsonValue, StateStore, StoreChange, Unsubscribe, Version } from './store.js';
export { ABSENT } from './store.js';
export type { FileStoreOptions } from './file-store.js';
export { FileStore, controllerTables } from './file-store.js';
export type { FileTable } from './file-table.js';
export { agentsTable, AGENT_PREFIX, SPENT_PREFIX } from './tables/agents-file.js';
export { revocationsTable, JTI_PREFIX, SERIAL_PREFIX } from './tables/revocations-file.js';
export { tokenKeysTable, TOKEN_KEY_PREFIX } from './tables/token-key-files.js';
export { genericTable } from './tables/generic-file.js';
export type { PgStoreOptions } from './pg-store.js';
export { PgStore, describeUrl } from './pg-store.js';
export { ValueCipher } from './value-cipher.js';
