import type { Storage } from "../storage/index.js";
import { tableForRead } from "./access.js";
import type { RunOptions, TableUse } from "./access.js";
import { createAccumulator } from "./aggregates.js";
import type { Accumulator } from "./aggregates.js";
import { compileExpression, hasAggregate, walk } from "./compile-expression.js";
import type { CompileContext, Evaluator, GroupRow } from "./compile-expression.js";
import type { Expr, SelectStatement } from "./ir.js";
import { coveringRows, scanOrder } from "./covering-index.js";
import { joinRows } from "./join.js";
import { candidates, conjuncts, hasOr, indexConditionOf, slotsOf } from "./plan-access.js";
import type { IndexCondition } from "./plan-access.js";
import { slotOf, useOf } from "./scope.js";
import type { Row, Slot } from "./scope.js";
import { invalidSql } from "./sql-error.js";

/** One key of the answer's rows and how its value is read. */
interface OutputColumn {
  key: string;
  value: Evaluator;
  /** column: missing is null; aggregate: undefined omitted; expression: null and undefined omitted. */
  kind: "column" | "aggregate" | "expression";
  /** The select item's expression, for GROUP BY checks (absent for `*` columns). */
  expr?: Expr;
}

type AggregateExpr = Extract<Expr, { kind: "aggregate" }>;
/** An aggregate to compute per group: its accumulator's kind and its argument per row. */
interface AggregatePlan {
  name: string;
  distinct: boolean;
  evaluate: Evaluator;
}

/** A canonical text of an expression, to compare GROUP BY terms with select items. */
const canonical = (expr: Expr) => JSON.stringify(expr, (key, value) => (key === "text" ? undefined : value));

/**
 * Runs a SELECT over the storage core (spec sql.md §4): resolves the tables, checks permissions,
 * reads each table through its primary key or indexes where the WHERE allows, joins, groups and
 * aggregates while streaming, then orders, de-duplicates and pages. Answers Harper's rows: keys
 * in select-list order, named as Harper names them.
 */
export function runSelect(storage: Storage, statement: SelectStatement, options: RunOptions = {}): Array<Record<string, unknown>> {
  const refs = statement.from ? [statement.from, ...statement.joins.map((j) => j.table)] : [];
  options.seeTables?.(refs.filter((r) => r.database !== undefined).map((r) => ({ database: r.database!, table: r.table })));
  const slots: Slot[] = refs.map((ref, index) => slotOf(index, ref.database ?? "", ref.table, ref.alias, tableForRead(storage, ref.database, ref.table)));
  const uses: TableUse[] = slots.map((slot) => useOf(slot, "read"));
  const onColumn: CompileContext["onColumn"] = (ref) => uses[ref.slot.index]!.columns.add(ref.column);

  const rowContext: CompileContext = { slots, onColumn };
  // Aggregates, in order of first appearance; identical ones share one accumulator.
  const aggregates: AggregatePlan[] = [];
  const aggregateKeys = new Map<string, number>();
  const aggregate = (expr: AggregateExpr): number => {
    const key = `${expr.name}|${expr.distinct}|${expr.arg ? canonical(expr.arg) : "*"}`;
    let index = aggregateKeys.get(key);
    if (index === undefined) {
      if (!createAccumulator(expr.name, expr.distinct)) throw invalidSql(`unknown aggregate ${expr.name}`);
      index = aggregates.length;
      const evaluate = expr.arg ? compileExpression(expr.arg, rowContext) : () => 1;
      aggregates.push({ name: expr.name, distinct: expr.distinct, evaluate });
      aggregateKeys.set(key, index);
    }
    return index;
  };
  const grouped =
    statement.groupBy.length > 0 ||
    statement.items.some((item) => item.kind === "expr" && hasAggregate(item.expr)) ||
    (statement.having !== undefined && hasAggregate(statement.having));
  const outputContext: CompileContext = grouped ? { slots, onColumn, aggregate } : rowContext;

  // The select list: explicit items first, then `*` expansions (as Harper orders them).
  const explicit: OutputColumn[] = [];
  const stars: Array<{ table?: string; index: number }> = [];
  statement.items.forEach((item, index) => {
    if (item.kind === "star") return void stars.push({ table: item.table, index });
    const expr = item.expr;
    const kind = expr.kind === "column" ? "column" : expr.kind === "aggregate" ? "aggregate" : "expression";
    explicit.push({ key: item.name, value: compileExpression(expr, outputContext), kind, expr });
  });
  for (const star of stars) {
    const targets = star.table === undefined ? slots : slots.filter((s) => s.alias === star.table || s.name === star.table);
    if (star.table !== undefined && targets.length === 0) throw invalidSql(`unknown table ${star.table}`);
    for (const slot of targets) uses[slot.index]!.star = true;
  }

  // WHERE: checked against every row; the terms on one table also pick how that table is read.
  const where = statement.where ? compileExpression(statement.where, rowContext) : undefined;
  const conditionsBySlot: IndexCondition[][] = slots.map(() => []);
  const preserved = slots.map((_, index) => !isNullSupplied(statement, index));
  const ranges = !hasOr(statement.where);
  for (const term of conjuncts(statement.where)) {
    const used = slotsOf(term, slots);
    if (used.size !== 1) continue;
    const index = [...used][0]!;
    if (!preserved[index]) continue;
    const condition = indexConditionOf(term, slots[index]!, slots, ranges);
    if (condition) conditionsBySlot[index]!.push(condition);
  }

  const groupBy = statement.groupBy.map((expr) => resolveGroupTerm(expr, statement, slots));
  const groupKeys = groupBy.map((expr) => compileExpression(expr, rowContext));
  if (statement.groupBy.length) checkGrouping(statement, explicit, groupBy, slots);
  const having = statement.having ? compileExpression(statement.having, { ...outputContext, alias: aliasOf(explicit) }) : undefined;
  const orderKeys = statement.orderBy.map((key) => {
    if (key.expr.kind === "literal" && typeof key.expr.value === "number") {
      const column = explicit[key.expr.value - 1];
      if (!column) throw invalidSql(`ORDER BY position ${key.expr.value} is not in the select list`);
      return { value: column.value, descending: key.descending };
    }
    return { value: compileExpression(key.expr, { ...outputContext, alias: aliasOf(explicit) }), descending: key.descending };
  });

  const joinPlans = statement.joins.map((join, k) => ({ join, slot: slots[k + 1]!, on: join.on ? compileExpression(join.on, rowContext) : undefined }));
  const readable = options.authorize?.(uses) ?? [];
  const columns = [...explicit, ...starColumns(stars, slots, readable, explicit)];
  dedupeKeys(columns);

  // Rows: the first table through its access path, then each join. A grouped statement over one
  // column of one table reads that column's index instead of the records.
  let rows: Iterable<Row>;
  const covering =
    grouped && slots.length === 1 && !statement.where && !uses[0]!.star && groupBy.every((e) => e.kind === "column") && groupBy.length <= 1
      ? coveringRows(slots[0]!, uses[0]!.columns)
      : undefined;
  if (slots.length === 0) rows = [[]];
  else if (covering) rows = covering.rows;
  else {
    const first = candidates(slots[0]!.table, conditionsBySlot[0]!);
    rows = mapIterable(first, (record) => [record]);
    for (const plan of joinPlans) {
      rows = joinRows(rows, plan, slots, statement.where ? conditionsBySlot[plan.slot.index]! : [], preserved[plan.slot.index]!);
    }
  }
  if (where) rows = filterIterable(rows, (row) => !!where(row));

  let results: Row[] | undefined;
  const streaming = !grouped && orderKeys.length === 0 && !statement.distinct;
  const stopAt = streaming && statement.limit !== undefined ? (statement.offset ?? 0) + statement.limit : Infinity;
  // ORDER BY a numeric primary key alone over one table without index conditions: the key-order
  // scan is already sorted, so LIMIT stops it.
  const byKey = keyOrderScan(statement, slots, conditionsBySlot[0] ?? [], grouped, where);
  if (byKey) results = byKey;
  else if (grouped) {
    results = group(rows, groupKeys, aggregates, statement.groupBy.length > 0);
    if (covering && groupKeys.length === 1) results = scanOrder(results, (row) => groupKeys[0]!(row), covering);
    if (having) results = results.filter((row) => !!having(row));
  } else if (stopAt < Infinity) {
    results = [];
    if (stopAt > 0) for (const row of rows) if (results.push(row) >= stopAt) break;
  } else results = [...rows];

  let ordered = results;
  if (orderKeys.length && !byKey) {
    const keyed = results.map((row, position) => ({ row, position, keys: orderKeys.map((k) => k.value(row)) }));
    keyed.sort((a, b) => {
      for (let i = 0; i < orderKeys.length; i++) {
        const c = compareSql(a.keys[i], b.keys[i]);
        if (c !== 0) return orderKeys[i]!.descending ? -c : c;
      }
      return a.position - b.position;
    });
    ordered = keyed.map((k) => k.row);
  }
  let output = ordered.map((row) => project(row, columns));
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
 * The rows of `SELECT ... FROM t [WHERE ...] ORDER BY <primary key> [DESC] [LIMIT n [OFFSET m]]`
 * read in key order, the scan stopping at the page; undefined when the statement is not of that
 * shape or the keys are not all numbers (only then is the store's order JavaScript's).
 */
function keyOrderScan(statement: SelectStatement, slots: readonly Slot[], conditions: readonly IndexCondition[], grouped: boolean, where: Evaluator | undefined): Row[] | undefined {
  if (grouped || statement.distinct || slots.length !== 1 || conditions.length > 0 || statement.orderBy.length !== 1) return undefined;
  const [key] = statement.orderBy as [OrderKeyOf];
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

type OrderKeyOf = SelectStatement["orderBy"][number];

/** Whether an outer join may give this slot no record (then WHERE terms on it cannot narrow its reads). */
function isNullSupplied(statement: SelectStatement, index: number): boolean {
  const later = statement.joins.slice(index);
  if (later.some((j) => j.mode === "RIGHT" || j.mode === "OUTER")) return true;
  if (index === 0) return false;
  const own = statement.joins[index - 1]!;
  return own.mode === "LEFT" || own.mode === "OUTER";
}

/** A GROUP BY term: a select alias stands for its expression; an unknown name is Harper's error. */
function resolveGroupTerm(expr: Expr, statement: SelectStatement, slots: readonly Slot[]): Expr {
  if (expr.kind !== "column") return expr;
  const known = expr.table === undefined ? slots.some((s) => s.has.has(expr.name)) : true;
  if (known) return expr;
  const aliased = statement.items.find((item) => item.kind === "expr" && item.alias === expr.name);
  if (aliased && aliased.kind === "expr") return aliased.expr;
  throw invalidSql(`unknown column '${expr.name}' in group by`);
}

/** Harper's GROUP BY rules (spec sql.md §4.6): selected columns grouped, grouped terms selected. */
function checkGrouping(statement: SelectStatement, explicit: OutputColumn[], groupBy: Expr[], slots: readonly Slot[]): void {
  if (statement.items.some((item) => item.kind === "star")) throw invalidSql("select column '*' must be in group by");
  const grouped = new Set(groupBy.map(canonical));
  const bareName = (e: Expr) => (e.kind === "column" ? e.name : undefined);
  const groupedNames = new Set(groupBy.map(bareName).filter((n) => n !== undefined));
  for (const column of explicit) {
    const expr = column.expr!;
    if (hasAggregate(expr)) continue;
    let readsColumns = false;
    walk(expr, (e) => {
      if (e.kind === "column") readsColumns = true;
    });
    if (!readsColumns) continue;
    if (grouped.has(canonical(expr))) continue;
    if (expr.kind === "column" && groupedNames.has(expr.name) && slots.filter((s) => s.has.has(expr.name)).length <= 1) continue;
    throw invalidSql(`select column '${column.key}' must be in group by`);
  }
  const selected = new Set(explicit.map((c) => canonical(c.expr!)));
  const selectedNames = new Set(explicit.map((c) => bareName(c.expr!)).filter((n) => n !== undefined));
  for (const expr of groupBy) {
    if (selected.has(canonical(expr))) continue;
    if (expr.kind === "column" && selectedNames.has(expr.name)) continue;
    throw invalidSql(`group by column '${expr.kind === "column" ? expr.name : "expression"}' must be in select`);
  }
}

/** Select aliases as values (ORDER BY and HAVING may name them). */
function aliasOf(explicit: OutputColumn[]): (name: string) => Evaluator | undefined {
  return (name) => explicit.find((c) => c.key === name && !(c.expr?.kind === "column" && c.expr.name === name))?.value;
}

/** The columns `*` adds: every attribute (or the readable ones, in the role's order) not already selected. */
function starColumns(
  stars: Array<{ table?: string }>,
  slots: readonly Slot[],
  readable: Array<readonly string[] | undefined>,
  explicit: OutputColumn[],
): OutputColumn[] {
  const out: OutputColumn[] = [];
  const taken = new Set<string>();
  for (const column of explicit) {
    const e = column.expr;
    if (e?.kind === "column") taken.add(`${e.table ?? ""}\u0000${e.name}`);
  }
  for (const star of stars) {
    const targets = star.table === undefined ? slots : slots.filter((s) => s.alias === star.table || s.name === star.table);
    for (const slot of targets) {
      const names = readable[slot.index] ?? slot.columns;
      for (const name of names) {
        const unqualified = slots.filter((s) => s.has.has(name)).length === 1;
        if (taken.has(`${slot.alias}\u0000${name}`) || (unqualified && taken.has(`\u0000${name}`))) continue;
        taken.add(`${slot.alias}\u0000${name}`);
        const index = slot.index;
        out.push({ key: name, value: (row) => row[index]?.[name], kind: "column" });
      }
    }
  }
  return out;
}

/**
 * Harper's keys for repeated names: the same plain column twice collapses into one key, another
 * column of the same name gets `1`, `2`, ... appended (spec sql.md §4.3).
 */
function dedupeKeys(columns: OutputColumn[]): void {
  const used = new Map<string, string>();
  for (let i = 0; i < columns.length; i++) {
    const column = columns[i]!;
    const identity = column.expr ? canonical(column.expr) : `*${i}`;
    const previous = used.get(column.key);
    if (previous === undefined) {
      used.set(column.key, identity);
      continue;
    }
    if (previous === identity) {
      columns.splice(i--, 1);
      continue;
    }
    let n = 1;
    while (used.has(`${column.key}${n}`)) n++;
    column.key = `${column.key}${n}`;
    used.set(column.key, identity);
  }
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

/** ORDER BY's comparison: NULL and missing first, then JavaScript's `<` and `>`. */
export function compareSql(a: unknown, b: unknown): number {
  if (a == null) return b == null ? 0 : -1;
  if (b == null) return 1;
  if ((a as number) < (b as number)) return -1;
  if ((a as number) > (b as number)) return 1;
  return 0;
}

function* mapIterable<T, U>(items: Iterable<T>, map: (item: T) => U): Iterable<U> {
  for (const item of items) yield map(item);
}

function* filterIterable<T>(items: Iterable<T>, keep: (item: T) => boolean): Iterable<T> {
  for (const item of items) if (keep(item)) yield item;
}
