import type { Storage } from "../storage/index.js";
import type { RunOptions } from "./access.js";
import { groupRows } from "./group-rows.js";
import type { SelectStatement } from "./ir.js";
import { orderRows, outputRows } from "./output-rows.js";
import { planSelect } from "./plan-select.js";
import { collectRows, keyOrderScan, readRows } from "./read-rows.js";

/**
 * Runs a SELECT over the storage core (spec sql.md §4), in steps:
 * - plan (plan-select.ts): resolve the tables, compile every expression, pick each table's access
 *   path and joins, check permissions and name the answer's columns;
 * - read (read-rows.ts): ORDER BY a numeric primary key alone reads in key order, LIMIT stopping
 *   the scan; otherwise the rows are read and joined, and collected with LIMIT stopping the read
 *   when nothing reorders them;
 * - group (group-rows.ts): a grouped statement aggregates the rows while streaming them, from a
 *   covering index where one can stand for the records;
 * - order and page (output-rows.ts): ORDER BY, then project, DISTINCT, OFFSET and LIMIT.
 * Answers Harper's rows: keys in select-list order, named as Harper names them.
 */
export function runSelect(storage: Storage, statement: SelectStatement, options: RunOptions = {}): Array<Record<string, unknown>> {
  const plan = planSelect(storage, statement, options);
  const inKeyOrder = keyOrderScan(plan);
  if (inKeyOrder) return outputRows(inKeyOrder, plan);
  const rows = plan.grouped ? groupRows(plan) : collectRows(readRows(plan), plan);
  return outputRows(orderRows(rows, plan.orderKeys), plan);
}
