/**
 * What went wrong in a storage call, as a closed set the service layer maps onto a status once:
 * - `INVALID`: bad input (a name, a primary key, a record, a scan option); nothing was written;
 * - `NOT_FOUND`: the database or table does not exist (or was dropped meanwhile);
 * - `ALREADY_EXISTS`: the database or table to create exists already;
 * - `FORBIDDEN`: the call would remove part of the `system` database;
 * - `CLOSED`: the storage was closed;
 * - `INTERNAL`: lmdb failed in a way the caller cannot fix; `cause` keeps lmdb's error for the log.
 */
export type StorageErrorCode = "INVALID" | "NOT_FOUND" | "ALREADY_EXISTS" | "FORBIDDEN" | "CLOSED" | "INTERNAL";

/**
 * The one error type of the storage core. Its message is Harper's own text where Harper has one
 * (`database 'dev' does not exist`, `Table 'dog' already exists in 'dev'`), so the service layer
 * can pass it on unchanged.
 */
export class StorageError extends Error {
  override name = "StorageError";
  constructor(
    /** What kind of failure this is. */
    readonly code: StorageErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Type guard for StorageError that checks the name, not the prototype. */
export function isStorageError(error: unknown): error is StorageError {
  return error instanceof Error && error.name === "StorageError";
}

/** Harper's answer to any attempt to drop or alter the `system` database or its tables. */
export const systemIsReadOnlyMessage =
  "The 'system' database, tables and records are used internally by HarperDB and cannot be updated or removed.";

/** `database '<db>' does not exist`, Harper's text. */
export function databaseNotFound(database: string): StorageError {
  return new StorageError("NOT_FOUND", `database '${database}' does not exist`);
}

/** `Table '<db>.<table>' does not exist`, Harper's text. */
export function tableNotFound(database: string, table: string): StorageError {
  return new StorageError("NOT_FOUND", `Table '${database}.${table}' does not exist`);
}

/**
 * Passes a StorageError through and wraps anything else (an lmdb or msgpack failure) as
 * `INTERNAL`, keeping the original as `cause`.
 */
export function toStorageError(error: unknown, doing: string): StorageError {
  if (isStorageError(error)) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return new StorageError("INTERNAL", `${doing} failed: ${detail}`, { cause: error });
}
