import { isStorageError } from "../storage/index.js";
import type { Storage, Table } from "../storage/index.js";
import type { SqlLimits } from "./limits.js";
import { SqlError } from "./sql-error.js";

/** What a statement does to one table, for the permission check. */
export interface TableUse {
  database: string;
  table: string;
  /** The table's primary key and its attributes in `*` order. */
  primaryKey: string;
  attributes: readonly string[];
  /** The table permission the statement needs: SELECT read, INSERT insert, UPDATE update, DELETE delete. */
  permission: "read" | "insert" | "update" | "delete";
  /** The attributes it reads or writes by name. */
  columns: Set<string>;
  /** Whether it reads `*` of the table. */
  star: boolean;
}

/**
 * Decides whether the caller may run a statement, given every table use, before any row is read
 * or written. Throws to refuse. Returns, per use (same order), the attributes `*` may show, in
 * the order they appear, or undefined for all of them.
 */
export type Authorize = (uses: TableUse[]) => Array<readonly string[] | undefined>;

/**
 * Decides, before any table is looked up, whether the caller may know of the tables a statement
 * names (so that a restricted caller cannot tell a missing table from a hidden one), and checks
 * the table permission each needs, so that hidden tables and missing table permissions are
 * answered together as Harper does. Throws to refuse.
 */
export type SeeTables = (tables: Array<{ database: string; table: string; permission: TableUse["permission"] }>) => void;

/**
 * How a statement runs: the caller's name (recorded on writes), the permission checks and the
 * request limits (limits.ts; the defaults of `operationsApi.limits` when absent).
 */
export interface RunOptions {
  user?: string;
  seeTables?: SeeTables;
  authorize?: Authorize;
  limits?: SqlLimits;
}

/** The table a SELECT names, or Harper's 404s (spec sql.md §7). */
export function tableForRead(storage: Storage, database: string | undefined, name: string): Table {
  if (database === undefined) throw new SqlError("invalid", `schema not defined for table ${name}`);
  return sqlTable(storage, database, name, "not_found");
}

/** The table, or Harper's not-found text (`database '<db>' does not exist`, `Table '<db>.<t>' ...`) as a SqlError of `kind`. */
export function sqlTable(storage: Storage, database: string, name: string, kind: SqlError["kind"]): Table {
  try {
    return storage.requireTable(database, name);
  } catch (error) {
    if (isStorageError(error) && error.code === "NOT_FOUND") throw new SqlError(kind, error.message);
    throw error;
  }
}
