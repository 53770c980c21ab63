import type { Storage } from "../storage/index.js";
import { tableForRead } from "./access.js";
import type { RunOptions, TableUse } from "./access.js";
import { aggregatePlans, isGrouped } from "./aggregate-plans.js";
import type { AggregatePlan } from "./aggregate-plans.js";
import { checkGrouping } from "./check-grouping.js";
import { compileExpression } from "./compile-expression.js";
import type { CompileContext, Evaluator } from "./compile-expression.js";
import type { Expr, SelectStatement } from "./ir.js";
import type { JoinPlan } from "./join.js";
import type { IndexCondition } from "./plan-access.js";
import { selectUses } from "./permission-uses.js";
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
  /** The columns the statement reads of each table, as compiled (the covering index reads them). */
  uses: TableUse[];
  /** Whether the statement aggregates (GROUP BY, or an aggregate in the select list or HAVING). */
  grouped: boolean;
  aggregates: AggregatePlan[];
  where: Evaluator | undefined;
  /** Per slot, the WHERE terms that narrow the table's reads. */
  conditionsBySlot: IndexCondition[][];
  /** Per slot, whether every row holds a record of it. */
  preserved: boolean[];
  /** The GROUP BY terms and their compiled keys. */
  groupBy: Expr[];
  groupKeys: Evaluator[];
  having: Evaluator | undefined;
  orderKeys: SortKey[];
  joinPlans: JoinPlan[];
  /** The answer's columns, in order and with their final keys. */
  columns: OutputColumn[];
}

/**
 * Plans a SELECT (spec sql.md §4) in the order of Harper 4.7.29's checks: the tables are looked up
 * (`options.seeTables` first), `options.authorize` is asked about every table and attribute the
 * statement names (permission-uses.ts) before anything is validated, then every expression is
 * compiled (resolving each column before any row is read, so unknown and ambiguous columns fail
 * first: select list, WHERE, joins), Harper's GROUP BY rules are checked, the index conditions
 * per table picked and the answer's columns named.
 */
export function planSelect(storage: Storage, statement: SelectStatement, options: RunOptions): SelectPlan {
  const refs = statement.from ? [statement.from, ...statement.joins.map((j) => j.table)] : [];
  options.seeTables?.(refs.filter((r) => r.database !== undefined).map((r) => ({ database: r.database!, table: r.table, permission: "read" })));
  const slots: Slot[] = refs.map((ref, index) => slotOf(index, ref.database ?? "", ref.table, ref.alias, tableForRead(storage, ref.database, ref.table)));
  const readable = options.authorize?.(selectUses(statement, slots)) ?? [];
  const uses: TableUse[] = slots.map((slot) => useOf(slot, "read"));
  const onColumn: CompileContext["onColumn"] = (ref) => uses[ref.slot.index]!.columns.add(ref.column);

  const rowContext: CompileContext = { slots, onColumn };
  const { plans: aggregates, aggregate } = aggregatePlans(rowContext);
  const grouped = isGrouped(statement);
  const outputContext: CompileContext = grouped ? { slots, onColumn, aggregate } : rowContext;
  const { explicit, stars } = selectList(statement, outputContext, slots, uses);

  const where = statement.where ? compileExpression(statement.where, rowContext) : undefined;
  const joinPlans = statement.joins.map((join, k) => ({ join, slot: slots[k + 1]!, on: join.on ? compileExpression(join.on, rowContext) : undefined }));
  const { conditionsBySlot, preserved } = slotConditions(statement, slots);

  const groupBy = statement.groupBy;
  if (groupBy.length) checkGrouping(statement, groupBy, slots, (slot) => readable[slot.index] ?? slot.columns);
  const groupKeys = groupBy.map((expr) => compileExpression(expr, rowContext));
  const having = statement.having ? compileExpression(statement.having, { ...outputContext, alias: aliasOf(explicit) }) : undefined;
  const orderKeys = sortKeys(statement, explicit, outputContext);

  const columns = outputColumns(explicit, stars, slots, readable);
  return { statement, slots, uses, grouped, aggregates, where, conditionsBySlot, preserved, groupBy, groupKeys, having, orderKeys, joinPlans, columns };
}

/**
 * The ORDER BY keys: a number is a 1-based position in the select list; a bare name that a select
 * alias carries is resolved as Harper's wrapper resolves it (selectedByName); other expressions may
 * still name select aliases.
 */
function sortKeys(statement: SelectStatement, explicit: OutputColumn[], outputContext: CompileContext): SortKey[] {
  return statement.orderBy.map((key) => {
    if (key.expr.kind === "literal" && typeof key.expr.value === "number") {
      const column = explicit[key.expr.value - 1];
      if (!column) throw invalidSql(`ORDER BY position ${key.expr.value} is not in the select list`);
      return { value: column.value, descending: key.descending };
    }
    const selected = key.expr.kind === "column" && key.expr.table === undefined ? selectedByName(statement, explicit, key.expr.name) : undefined;
    if (selected) return { value: selected.value, descending: key.descending };
    return { value: compileExpression(key.expr, { ...outputContext, alias: aliasOf(explicit) }), descending: key.descending };
  });
}

/**
 * The select item an ORDER BY name stands for when a select alias carries the name (Harper
 * 4.7.29): the name is then never ambiguous between joined tables, two aliases of it are
 * (`ambiguous column reference id in order by`), and the key is the first select item, in
 * select-list order, that is a column of that name (of any table) or is aliased so. So
 * `SELECT id AS x, name AS id ... ORDER BY id` sorts by the `id` column, and `SELECT d.id AS id
 * ... JOIN ... ORDER BY id` by `d.id`. Undefined when no alias carries the name.
 */
function selectedByName(statement: SelectStatement, explicit: OutputColumn[], name: string): OutputColumn | undefined {
  const items = statement.items.filter((item) => item.kind === "expr");
  const aliased = items.filter((item) => item.alias === name).length;
  if (aliased > 1) throw invalidSql(`ambiguous column reference ${name} in order by`);
  if (aliased === 0) return undefined;
  const index = items.findIndex((item) => item.alias === name || (item.expr.kind === "column" && item.expr.name === name));
  return explicit[index];
}
