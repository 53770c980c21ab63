/**
 * The storage core on LMDB: databases, tables and records. Plain TypeScript in and out; errors
 * are StorageError with a code, translated once by the service layer.
 */
export { openStorage, systemTables } from "./storage.js";
export type { Storage, StorageOptions, TableDefinition } from "./storage.js";
export type { AttributeInfo, Id, ScanOptions, StoredRecord, Table, TableInfo } from "./table.js";
export { timestamp } from "./table.js";
export { StorageError, isStorageError } from "./storage-error.js";
export type { StorageErrorCode } from "./storage-error.js";
export { checkName } from "./names.js";
