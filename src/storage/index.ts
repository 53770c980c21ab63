/**
 * The storage core on LMDB: databases (one environment each), a persisted catalog of tables,
 * records keyed by primary key with secondary indexes, an audit log per table and expiration.
 * Plain TypeScript types in and out; failures are StorageError with a code, translated once by
 * the service layer. It imports nothing above it.
 */
export { openStorage } from "./storage.js";
export type { Storage, StorageOptions } from "./storage.js";
export type { Table } from "./table-handle.js";
export type { EnvironmentStatistics, ReaderSlot, StoreStatistics } from "./environment-stats.js";
export type { IndexReader } from "./index-reader.js";
export type { Condition, IndexRange, IndexSource, Query } from "./query/index.js";
export { autoCast } from "./query/auto-cast.js";
export type {
  AttributeDefinition,
  AttributeInfo,
  CreateTableOptions,
  ElementsDefinition,
  Id,
  LogEntry,
  LogQuery,
  ScanOptions,
  StorageRecord,
  TableInfo,
  TableStats,
  WriteContext,
  WriteKind,
  WriteResult,
} from "./types.js";
export { StorageError, isStorageError, systemIsReadOnlyMessage } from "./errors.js";
export type { StorageErrorCode } from "./errors.js";
export { validateAttributeName, validateName } from "./validate-name.js";
export { checkId, maxKeyBytes } from "./primary-key.js";
export { compareStoredKeys } from "./key-order.js";
export { scalarTypes } from "./attribute-definitions.js";
export {
  createdTimeAttribute,
  defaultDatabase,
  systemDatabase,
  systemTables,
  updatedTimeAttribute,
} from "./system-tables.js";
