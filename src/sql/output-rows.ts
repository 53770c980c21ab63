import type { SelectPlan, SortKey } from "./plan-select.js";
import type { Row } from "./scope.js";
import type { OutputColumn } from "./select-columns.js";

/**
 * Rows sorted by the ORDER BY keys (each key evaluated once per row) with AlaSQL's comparison
 * (compareSql), equal rows keeping their order; the same array when there are no keys. The sort is
 * JavaScript's, as in Harper, over rows in Harper's order, so even values compareSql cannot order
 * (a number and a word) come out as Harper answers them.
 */
export function orderRows(rows: Row[], orderKeys: SortKey[]): Row[] {
  if (orderKeys.length === 0) return rows;
  const keyed = rows.map((row, position) => ({ row, position, keys: orderKeys.map((k) => k.value(row)) }));
  keyed.sort((a, b) => {
    for (let i = 0; i < orderKeys.length; i++) {
      const c = compareSql(a.keys[i], b.keys[i], orderKeys[i]!.descending);
      if (c !== 0) return c;
    }
    return a.position - b.position;
  });
  return keyed.map((k) => k.row);
}

/**
 * ORDER BY's comparison of one key, AlaSQL's (which Harper sorts with): each value stands as
 * `value || ''`, so null, missing, 0, NaN, false and '' are all '' (before positive numbers and
 * every string, after negative numbers); then an ascending key answers 1 when a > b, 0 when
 * a == b (loosely) and -1 otherwise, a descending key 1 when a < b.
 */
export function compareSql(a: unknown, b: unknown, descending = false): number {
  const x = (a || "") as number;
  const y = (b || "") as number;
  if (descending ? x < y : x > y) return 1;
  // Loose equality on purpose, as AlaSQL compares ('5' and 5 are equal keys).
  if (x == y) return 0;
  return -1;
}

/**
 * The answer of a plan from its rows, in their order: each row projected onto the plan's columns,
 * then DISTINCT (on the projected rows), then OFFSET and LIMIT.
 */
export function outputRows(rows: Row[], plan: SelectPlan): Array<Record<string, unknown>> {
  const { statement, columns } = plan;
  // A select list left without columns (`SELECT *` by a role that may read no attribute) is an
  // empty statement to Harper, which answers no rows rather than empty ones.
  if (columns.length === 0) return [];
  let output = rows.map((row) => project(row, columns));
  if (statement.distinct) {
    const seen = new Set<string>();
    output = output.filter((row) => {
      const key = JSON.stringify(Object.entries(row));
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }
  const offset = statement.offset ?? 0;
  if (offset || statement.limit !== undefined) output = output.slice(offset, statement.limit === undefined ? undefined : offset + statement.limit);
  return output;
}

/**
 * One answer row: undefined columns become null; undefined and NaN expressions are left out (an
 * expression that is null, such as `NULLIF(col, 5)` over a stored null, is kept, as in Harper,
 * while SQL's NULL literal is undefined there); Infinity becomes null.
 */
function project(row: Row, columns: OutputColumn[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const column of columns) {
    const value = column.value(row);
    if (typeof value === "number" && !Number.isFinite(value)) {
      // AlaSQL drops NaN from the row; Infinity prints as null in JSON.
      if (!Number.isNaN(value)) out[column.key] = null;
    } else if (column.kind === "column") out[column.key] = value === undefined ? null : value;
    else if (value !== undefined) out[column.key] = value;
  }
  return out;
}
