import type { Storage } from "../storage/index.js";
import { tableForRead } from "./access.js";
import type { RunOptions, TableUse } from "./access.js";
import { aggregatePlans, isGrouped } from "./aggregate-plans.js";
import type { AggregatePlan } from "./aggregate-plans.js";
import { checkGrouping, resolveGroupTerm } from "./check-grouping.js";
import { compileExpression } from "./compile-expression.js";
import type { CompileContext, Evaluator } from "./compile-expression.js";
import type { Expr, SelectStatement } from "./ir.js";
import type { JoinPlan } from "./join.js";
import type { IndexCondition } from "./plan-access.js";
import { slotOf, useOf } from "./scope.js";
import type { Slot } from "./scope.js";
import { aliasOf, outputColumns, selectList } from "./select-columns.js";
import type { OutputColumn } from "./select-columns.js";
import { slotConditions } from "./slot-conditions.js";
import { invalidSql } from "./sql-error.js";

/** A compiled ORDER BY key. */
export interface SortKey {
  value: Evaluator;
  descending: boolean;
}

/** A SELECT made ready to run: its tables, access paths, joins and compiled expressions. */
export interface SelectPlan {
  statement: SelectStatement;
  slots: Slot[];
  /** What the statement reads of each table, as the permission check saw it. */
  uses: TableUse[];
  /** Whether the statement aggregates (GROUP BY, or an aggregate in the select list or HAVING). */
  grouped: boolean;
  aggregates: AggregatePlan[];
  where: Evaluator | undefined;
  /** Per slot, the WHERE terms that narrow the table's reads. */
  conditionsBySlot: IndexCondition[][];
  /** Per slot, whether every row holds a record of it. */
  preserved: boolean[];
  /** The GROUP BY terms, select aliases resolved, and their compiled keys. */
  groupBy: Expr[];
  groupKeys: Evaluator[];
  having: Evaluator | undefined;
  orderKeys: SortKey[];
  joinPlans: JoinPlan[];
  /** The answer's columns, in order and with their final keys. */
  columns: OutputColumn[];
}

/**
 * Plans a SELECT (spec sql.md §4): resolves its tables, compiles every expression (resolving each
 * column before any row is read, so unknown and ambiguous columns fail first), picks the index
 * conditions per table, checks Harper's GROUP BY rules, then asks `options.authorize` about every
 * table and column read and names the answer's columns.
 */
export function planSelect(storage: Storage, statement: SelectStatement, options: RunOptions): SelectPlan {
  const refs = statement.from ? [statement.from, ...statement.joins.map((j) => j.table)] : [];
  options.seeTables?.(refs.filter((r) => r.database !== undefined).map((r) => ({ database: r.database!, table: r.table })));
  const slots: Slot[] = refs.map((ref, index) => slotOf(index, ref.database ?? "", ref.table, ref.alias, tableForRead(storage, ref.database, ref.table)));
  const uses: TableUse[] = slots.map((slot) => useOf(slot, "read"));
  const onColumn: CompileContext["onColumn"] = (ref) => uses[ref.slot.index]!.columns.add(ref.column);

  const rowContext: CompileContext = { slots, onColumn };
  const { plans: aggregates, aggregate } = aggregatePlans(rowContext);
  const grouped = isGrouped(statement);
  const outputContext: CompileContext = grouped ? { slots, onColumn, aggregate } : rowContext;
  const { explicit, stars } = selectList(statement, outputContext, slots, uses);

  const where = statement.where ? compileExpression(statement.where, rowContext) : undefined;
  const { conditionsBySlot, preserved } = slotConditions(statement, slots);

  const groupBy = statement.groupBy.map((expr) => resolveGroupTerm(expr, statement, slots));
  const groupKeys = groupBy.map((expr) => compileExpression(expr, rowContext));
  if (statement.groupBy.length) checkGrouping(statement, explicit, groupBy, slots);
  const having = statement.having ? compileExpression(statement.having, { ...outputContext, alias: aliasOf(explicit) }) : undefined;
  const orderKeys = sortKeys(statement, explicit, outputContext);

  const joinPlans = statement.joins.map((join, k) => ({ join, slot: slots[k + 1]!, on: join.on ? compileExpression(join.on, rowContext) : undefined }));
  const readable = options.authorize?.(uses) ?? [];
  const columns = outputColumns(explicit, stars, slots, readable);
  return { statement, slots, uses, grouped, aggregates, where, conditionsBySlot, preserved, groupBy, groupKeys, having, orderKeys, joinPlans, columns };
}

/** The ORDER BY keys: a number is a 1-based position in the select list, a name may be a select alias. */
function sortKeys(statement: SelectStatement, explicit: OutputColumn[], outputContext: CompileContext): SortKey[] {
  return statement.orderBy.map((key) => {
    if (key.expr.kind === "literal" && typeof key.expr.value === "number") {
      const column = explicit[key.expr.value - 1];
      if (!column) throw invalidSql(`ORDER BY position ${key.expr.value} is not in the select list`);
      return { value: column.value, descending: key.descending };
    }
    return { value: compileExpression(key.expr, { ...outputContext, alias: aliasOf(explicit) }), descending: key.descending };
  });
}
