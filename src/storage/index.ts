/**
 * The storage core on LMDB: databases (one environment each), a persisted catalog of tables, and
 * records keyed by primary key. Plain TypeScript types in and out; failures are StorageError with
 * a code, translated once by the service layer. It imports nothing above it.
 */
export { openStorage } from "./storage.js";
export type { Storage, StorageOptions } from "./storage.js";
export type { Table } from "./table-handle.js";
export type {
  AttributeDefinition,
  AttributeInfo,
  CreateTableOptions,
  Id,
  InsertResult,
  ScanOptions,
  StorageRecord,
  TableInfo,
} from "./types.js";
export { StorageError, isStorageError, systemIsReadOnlyMessage } from "./errors.js";
export type { StorageErrorCode } from "./errors.js";
export { validateAttributeName, validateName } from "./validate-name.js";
export { checkId, maxKeyBytes } from "./primary-key.js";
export {
  createdTimeAttribute,
  defaultDatabase,
  systemDatabase,
  systemTables,
  updatedTimeAttribute,
} from "./system-tables.js";
