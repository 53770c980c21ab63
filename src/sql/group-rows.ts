import { createAccumulator } from "./aggregates.js";
import type { Accumulator } from "./aggregates.js";
import type { AggregatePlan } from "./aggregate-plans.js";
import type { Evaluator, GroupRow } from "./compile-expression.js";
import { coveringRows, scanOrder } from "./covering-index.js";
import type { SelectPlan } from "./plan-select.js";
import { readRows } from "./read-rows.js";
import type { Row } from "./scope.js";

/**
 * The groups of a grouped plan, HAVING applied. A statement without WHERE over one column of one
 * table reads that column's index instead of the records, and its groups are put back in the
 * order a key-order scan would give them.
 */
export function groupRows(plan: SelectPlan): GroupRow[] {
  const { statement, slots, uses, groupBy, groupKeys, having } = plan;
  const covering =
    slots.length === 1 && !statement.where && !uses[0]!.star && groupBy.every((e) => e.kind === "column") && groupBy.length <= 1
      ? coveringRows(slots[0]!, uses[0]!.columns)
      : undefined;
  const rows = covering ? covering.rows : readRows(plan);
  let results = group(rows, groupKeys, plan.aggregates, statement.groupBy.length > 0);
  if (covering && groupKeys.length === 1) results = scanOrder(results, (row) => groupKeys[0]!(row), covering);
  if (having) results = results.filter((row) => !!having(row));
  return results;
}

/** Groups rows while streaming them, feeding each group's accumulators. */
function group(rows: Iterable<Row>, keys: Evaluator[], aggregates: AggregatePlan[], byGroup: boolean): GroupRow[] {
  const groups = new Map<unknown, { row: GroupRow; accumulators: Accumulator[] }>();
  const order: Array<{ row: GroupRow; accumulators: Accumulator[] }> = [];
  const evaluators = aggregates.map((a) => a.evaluate);
  for (const row of rows) {
    let key: unknown = undefined;
    if (keys.length === 1) {
      key = keys[0]!(row) ?? null; // a missing attribute groups with null, as in Harper's rows
      if (key !== null && typeof key === "object") key = `\u0000${JSON.stringify(key)}`;
    } else if (keys.length > 1) key = JSON.stringify(keys.map((k) => k(row) ?? null));
    let entry = groups.get(key);
    if (!entry) {
      entry = { row: Object.assign([...row], { totals: [] as unknown[] }), accumulators: aggregates.map((a) => createAccumulator(a.name, a.distinct)!) };
      groups.set(key, entry);
      order.push(entry);
    }
    for (let i = 0; i < evaluators.length; i++) entry.accumulators[i]!.add(evaluators[i]!(row));
  }
  if (!byGroup && order.length === 0) {
    order.push({ row: Object.assign([] as Row, { totals: [] as unknown[] }), accumulators: aggregates.map((a) => createAccumulator(a.name, a.distinct)!) });
  }
  for (const entry of order) entry.row.totals = entry.accumulators.map((a) => a.result());
  return order.map((entry) => entry.row);
}
