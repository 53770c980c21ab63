import { createAccumulator } from "./aggregates.js";
import type { Accumulator } from "./aggregates.js";
import type { AggregatePlan } from "./aggregate-plans.js";
import type { Evaluator, GroupRow } from "./compile-expression.js";
import { coveringRows, scanOrder } from "./covering-index.js";
import type { SelectPlan } from "./plan-select.js";
import { holdsNumbersOnly } from "./plan-access.js";
import { readRows } from "./read-rows.js";
import type { Row, Slot } from "./scope.js";

/**
 * The groups of a grouped plan, HAVING applied. A statement without WHERE over one column of one
 * table reads that column's index instead of the records, and its groups are put back in the
 * order a key-order scan would give them.
 */
export function groupRows(plan: SelectPlan): GroupRow[] {
  const { statement, slots, uses, groupBy, groupKeys, having } = plan;
  const covering =
    slots.length === 1 &&
    !statement.where &&
    !uses[0]!.star &&
    groupBy.every((e) => e.kind === "column") &&
    groupBy.length <= 1 &&
    plan.aggregates.every((a) => orderFree(a, slots[0]!, uses[0]!.columns))
      ? coveringRows(slots[0]!, uses[0]!.columns)
      : undefined;
  let grouped = group(covering ? covering.rows : readRows(plan), groupKeys, plan.aggregates, statement.groupBy.length > 0);
  // Values of different types that group together (3 and "3") show the first one a scan meets,
  // which the index order does not tell: read the records.
  if (covering && grouped.mixed) grouped = group(readRows(plan), groupKeys, plan.aggregates, statement.groupBy.length > 0);
  let results = grouped.rows;
  if (covering && !grouped.mixed && groupKeys.length === 1) results = scanOrder(results, (row) => groupKeys[0]!(row), covering);
  if (having) results = results.filter((row) => !!having(row));
  return results;
}

/**
 * Whether an aggregate answers the same whatever order its rows come in, so that it may read an
 * index (in value order) instead of the records (in key order): COUNT, and MIN and MAX over an
 * index of numbers only (AlaSQL's MIN and MAX skip a 0 met after a null). SUM, AVG, FIRST, LAST,
 * GROUP_CONCAT, ARRAY and the rest depend on the order (`SUM` of `"3"` and `3` is `"33"` or 6...).
 */
function orderFree(aggregate: AggregatePlan, slot: Slot, columns: ReadonlySet<string>): boolean {
  if (aggregate.name === "COUNT") return true;
  if (aggregate.name !== "MIN" && aggregate.name !== "MAX") return false;
  const [column = slot.table.info.primaryKey] = columns;
  return columns.size <= 1 && slot.table.isIndexed(column) && holdsNumbersOnly(slot.table, column);
}

/**
 * A group's key as AlaSQL's GROUP BY makes it, by the values' text (Harper's rows hold null for
 * a missing attribute): 3 and "3" are one group, shown with the first value met, and so are true
 * and "true"; several keys are joined with a backtick. Plain objects keep one group each (AlaSQL
 * puts them all in "[object Object]").
 */
function groupKey(value: unknown): string {
  if (typeof value === "string") return value;
  if (value == null) return "null";
  if (typeof value === "object" && !Array.isArray(value) && !(value instanceof Date)) return `\u0000${JSON.stringify(value)}`;
  return String(value);
}

/** Groups rows while streaming them, feeding each group's accumulators; `mixed` when values of different types share a group. */
function group(rows: Iterable<Row>, keys: Evaluator[], aggregates: AggregatePlan[], byGroup: boolean): { rows: GroupRow[]; mixed: boolean } {
  const groups = new Map<unknown, { row: GroupRow; accumulators: Accumulator[]; first: unknown }>();
  const order: Array<{ row: GroupRow; accumulators: Accumulator[] }> = [];
  const evaluators = aggregates.map((a) => a.evaluate);
  let mixed = false;
  for (const row of rows) {
    let key: unknown = undefined;
    let value: unknown = undefined;
    if (keys.length === 1) {
      value = keys[0]!(row) ?? null;
      key = groupKey(value);
    } else if (keys.length > 1) {
      value = keys.map((k) => k(row) ?? null);
      key = (value as unknown[]).map(groupKey).join("`");
    }
    let entry = groups.get(key);
    if (!entry) {
      entry = { row: Object.assign([...row], { totals: [] as unknown[] }), accumulators: aggregates.map((a) => createAccumulator(a.name, a.distinct)!), first: value };
      groups.set(key, entry);
      order.push(entry);
    } else if (!mixed && keys.length > 0 && !sameValue(entry.first, value)) mixed = true;
    for (let i = 0; i < evaluators.length; i++) entry.accumulators[i]!.add(evaluators[i]!(row));
  }
  if (!byGroup && order.length === 0) {
    order.push({ row: Object.assign([] as Row, { totals: [] as unknown[] }), accumulators: aggregates.map((a) => createAccumulator(a.name, a.distinct)!) });
  }
  for (const entry of order) entry.row.totals = entry.accumulators.map((a) => a.result());
  return { rows: order.map((entry) => entry.row), mixed };
}

/** Whether two group values (or lists of them) are the same values of the same types. */
function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  return a === b || (typeof a === "object" && typeof b === "object" && JSON.stringify(a) === JSON.stringify(b));
}
