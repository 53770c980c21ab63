import type { SelectPlan, SortKey } from "./plan-select.js";
import type { Row } from "./scope.js";
import type { OutputColumn } from "./select-columns.js";

/**
 * Rows sorted by the ORDER BY keys (each key evaluated once per row), equal rows keeping their
 * order; the same array when there are no keys.
 */
export function orderRows(rows: Row[], orderKeys: SortKey[]): Row[] {
  if (orderKeys.length === 0) return rows;
  const keyed = rows.map((row, position) => ({ row, position, keys: orderKeys.map((k) => k.value(row)) }));
  keyed.sort((a, b) => {
    for (let i = 0; i < orderKeys.length; i++) {
      const c = compareSql(a.keys[i], b.keys[i]);
      if (c !== 0) return orderKeys[i]!.descending ? -c : c;
    }
    return a.position - b.position;
  });
  return keyed.map((k) => k.row);
}

/** ORDER BY's comparison: NULL and missing first, then JavaScript's `<` and `>`. */
export function compareSql(a: unknown, b: unknown): number {
  if (a == null) return b == null ? 0 : -1;
  if (b == null) return 1;
  if ((a as number) < (b as number)) return -1;
  if ((a as number) > (b as number)) return 1;
  return 0;
}

/**
 * The answer of a plan from its rows, in their order: each row projected onto the plan's columns,
 * then DISTINCT (on the projected rows), then OFFSET and LIMIT.
 */
export function outputRows(rows: Row[], plan: SelectPlan): Array<Record<string, unknown>> {
  const { statement, columns } = plan;
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
 * One answer row: undefined columns become null; null, undefined and NaN expressions are left
 * out; Infinity becomes null.
 */
function project(row: Row, columns: OutputColumn[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const column of columns) {
    const value = column.value(row);
    if (typeof value === "number" && !Number.isFinite(value)) {
      // AlaSQL drops NaN from the row; Infinity prints as null in JSON.
      if (!Number.isNaN(value)) out[column.key] = null;
    } else if (column.kind === "column") out[column.key] = value === undefined ? null : value;
    else if (value !== undefined && (value !== null || column.kind === "aggregate")) out[column.key] = value;
  }
  return out;
}
