import type { TableUse } from "./access.js";
import { canonical } from "./check-grouping.js";
import { compileExpression } from "./compile-expression.js";
import type { CompileContext, Evaluator } from "./compile-expression.js";
import type { Expr, SelectStatement } from "./ir.js";
import type { Slot } from "./scope.js";
import { invalidSql } from "./sql-error.js";

/** One key of the answer's rows and how its value is read. */
export interface OutputColumn {
  key: string;
  value: Evaluator;
  /** column: missing is null; aggregate: undefined omitted; expression: null and undefined omitted. */
  kind: "column" | "aggregate" | "expression";
  /** The select item's expression, for GROUP BY checks (absent for `*` columns). */
  expr?: Expr;
}

/** A `*` or `t.*` of the select list: the table it names, if any, and its place in the list. */
export interface StarItem {
  table?: string;
  index: number;
}

/**
 * The select list compiled in `context`: the explicit items, and the `*` items, whose tables are
 * marked as read whole in `uses`. Throws `unknown table t` for a `t.*` that names no table.
 */
export function selectList(
  statement: SelectStatement,
  context: CompileContext,
  slots: readonly Slot[],
  uses: TableUse[],
): { explicit: OutputColumn[]; stars: StarItem[] } {
  const explicit: OutputColumn[] = [];
  const stars: StarItem[] = [];
  statement.items.forEach((item, index) => {
    if (item.kind === "star") return void stars.push({ table: item.table, index });
    const expr = item.expr;
    const kind = expr.kind === "column" ? "column" : expr.kind === "aggregate" ? "aggregate" : "expression";
    explicit.push({ key: item.name, value: compileExpression(expr, context), kind, expr });
  });
  for (const star of stars) {
    const targets = star.table === undefined ? slots : slots.filter((s) => s.alias === star.table || s.name === star.table);
    if (star.table !== undefined && targets.length === 0) throw invalidSql(`unknown table ${star.table}`);
    for (const slot of targets) uses[slot.index]!.star = true;
  }
  return { explicit, stars };
}

/** Select aliases as values (ORDER BY and HAVING may name them). */
export function aliasOf(explicit: OutputColumn[]): (name: string) => Evaluator | undefined {
  return (name) => explicit.find((c) => c.key === name && !(c.expr?.kind === "column" && c.expr.name === name))?.value;
}

/**
 * The answer's columns in Harper's order and with Harper's keys: the explicit items first, then
 * the columns the `*` items add (the readable ones where the role limits them).
 */
export function outputColumns(
  explicit: OutputColumn[],
  stars: StarItem[],
  slots: readonly Slot[],
  readable: Array<readonly string[] | undefined>,
): OutputColumn[] {
  const columns = [...explicit, ...starColumns(stars, slots, readable, explicit)];
  dedupeKeys(columns);
  return columns;
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
