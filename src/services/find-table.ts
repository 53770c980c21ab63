import { Code } from "@connectrpc/connect";
import { defaultDatabase } from "../storage/index.js";
import type { Storage, Table } from "../storage/index.js";
import { toConnectError } from "./storage-errors.js";

/**
 * The table a request names, or Harper's not-found error (`database '<db>' does not exist`, else
 * `Table '<db>.<table>' does not exist`) with `code`: NOT_FOUND unless Harper answers the
 * operation otherwise (loads and inserts answer 400). The database defaults to `data`.
 */
export function findTable(storage: Storage, database: string | undefined, name: string, code: Code = Code.NotFound): Table {
  try {
    return storage.requireTable(database ?? defaultDatabase, name);
  } catch (error) {
    throw toConnectError(error, { NOT_FOUND: code });
  }
}

/**
 * The table a background job works on, looked up when the job runs: a missing table or database
 * fails the job with `Table '<db>.<table>' does not exist` (Harper's job message for both).
 */
export function findJobTable(storage: Storage, database: string, name: string): Table {
  const table = storage.hasDatabase(database) ? storage.table(database, name) : undefined;
  if (!table) throw new Error(`Table '${database}.${name}' does not exist`);
  return table;
}
