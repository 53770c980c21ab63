import { joinRows } from "./join.js";
import { candidates } from "./plan-access.js";
import type { SelectPlan } from "./plan-select.js";
import type { Row } from "./scope.js";

/**
 * The rows a plan reads, lazily where it can: the first table through its access path, then each
 * join in the written order, then the WHERE clause checked on every row. A statement without FROM
 * reads one empty row.
 */
export function readRows(plan: SelectPlan): Iterable<Row> {
  const { statement, slots, conditionsBySlot, preserved, where } = plan;
  let rows: Iterable<Row>;
  if (slots.length === 0) rows = [[]];
  else {
    const first = candidates(slots[0]!.table, conditionsBySlot[0]!);
    rows = mapIterable(first, (record) => [record]);
    for (const join of plan.joinPlans) {
      rows = joinRows(rows, join, slots, statement.where ? conditionsBySlot[join.slot.index]! : [], preserved[join.slot.index]!);
    }
  }
  if (where) rows = filterIterable(rows, (row) => !!where(row));
  return rows;
}

/**
 * The rows of an ungrouped plan, in read order. Without ORDER BY and DISTINCT, LIMIT stops the
 * read once OFFSET + LIMIT rows are in.
 */
export function collectRows(rows: Iterable<Row>, plan: SelectPlan): Row[] {
  const { statement } = plan;
  const streaming = plan.orderKeys.length === 0 && !statement.distinct;
  const stopAt = streaming && statement.limit !== undefined ? (statement.offset ?? 0) + statement.limit : Infinity;
  if (stopAt < Infinity) {
    const results: Row[] = [];
    if (stopAt > 0) for (const row of rows) if (results.push(row) >= stopAt) break;
    return results;
  }
  return [...rows];
}

/**
 * The rows of `SELECT ... FROM t [WHERE ...] ORDER BY <primary key> [DESC] [LIMIT n [OFFSET m]]`
 * read in key order, the scan stopping at the page; undefined when the statement is not of that
 * shape or the keys are not all numbers (only then is the store's order JavaScript's).
 */
export function keyOrderScan(plan: SelectPlan): Row[] | undefined {
  const { statement, slots, where } = plan;
  const conditions = plan.conditionsBySlot[0] ?? [];
  if (plan.grouped || statement.distinct || slots.length !== 1 || conditions.length > 0 || statement.orderBy.length !== 1) return undefined;
  const key = statement.orderBy[0]!;
  const slot = slots[0]!;
  const primaryKey = slot.table.info.primaryKey;
  if (key.expr.kind !== "column" || key.expr.name !== primaryKey || (key.expr.table !== undefined && key.expr.table !== slot.alias && key.expr.table !== slot.name)) return undefined;
  if (statement.items.some((item) => item.kind === "expr" && item.alias === primaryKey && !(item.expr.kind === "column" && item.expr.name === primaryKey))) return undefined;
  // The store orders numbers before strings: when its lowest and highest keys are numbers, every
  // key is, and key order is JavaScript's order.
  const edge = (reverse: boolean) => [...slot.table.scan({ reverse, limit: 1 })][0]?.[primaryKey];
  if (typeof edge(false) !== "number" || typeof edge(true) !== "number") return undefined;
  const stopAt = statement.limit !== undefined ? (statement.offset ?? 0) + statement.limit : Infinity;
  const rows: Row[] = [];
  if (stopAt === 0) return rows;
  for (const record of slot.table.scan({ reverse: key.descending })) {
    const row: Row = [record];
    if (where && !where(row)) continue;
    if (rows.push(row) >= stopAt) break;
  }
  return rows;
}

function* mapIterable<T, U>(items: Iterable<T>, map: (item: T) => U): Iterable<U> {
  for (const item of items) yield map(item);
}

function* filterIterable<T>(items: Iterable<T>, keep: (item: T) => boolean): Iterable<T> {
  for (const item of items) if (keep(item)) yield item;
}
