/**
 * The sql operation's engine: Harper's SQL dialect, parsed by AlaSQL's grammar (parse.ts), planned
 * and run by us on the storage core. Plain values in and out; failures are SqlError (or the
 * core's StorageError), translated by the service layer.
 */
import type { Storage } from "../storage/index.js";
import type { RunOptions } from "./access.js";
import { parseWithin } from "./bounded-parse.js";
import { defaultSqlLimits } from "./limits.js";
import { runSelect } from "./run-select.js";
import { runDelete, runInsert, runUpdate } from "./run-write.js";

export type { Authorize, RunOptions, SeeTables, TableUse } from "./access.js";
export { SqlError, isSqlError } from "./sql-error.js";
export { parseStatement, troubleParsing } from "./parse.js";
export { parseWithin } from "./bounded-parse.js";
export { checkSqlText } from "./check-sql-text.js";
export { defaultSqlLimits, maxExpressionDepth } from "./limits.js";
export type { SqlLimits } from "./limits.js";

/**
 * Runs the first statement of `sql`: SELECT answers an array of row objects, INSERT, UPDATE and
 * DELETE the summary of the matching NoSQL operation. The statement is parsed within
 * `options.limits` (parseWithin).
 */
export async function runSql(storage: Storage, sql: string, options: RunOptions = {}): Promise<unknown> {
  const parsed = parseWithin(sql, options.limits ?? defaultSqlLimits);
  const statement = parsed instanceof Promise ? await parsed : parsed;
  switch (statement.type) {
    case "select":
      return runSelect(storage, statement, options);
    case "insert":
      return runInsert(storage, statement, options);
    case "update":
      return runUpdate(storage, statement, options);
    case "delete":
      return runDelete(storage, statement, options);
  }
}
