import { hasAggregate, walk } from "./compile-expression.js";
import type { Expr, SelectStatement } from "./ir.js";
import type { Slot } from "./scope.js";
import type { OutputColumn } from "./select-columns.js";
import { invalidSql } from "./sql-error.js";

/**
 * A canonical text of an expression (its source text left out), to compare GROUP BY terms with
 * select items, and to tell repeated aggregates and repeated output columns apart.
 */
export const canonical = (expr: Expr) => JSON.stringify(expr, (key, value) => (key === "text" ? undefined : value));

/** A GROUP BY term: a select alias stands for its expression; an unknown name is Harper's error. */
export function resolveGroupTerm(expr: Expr, statement: SelectStatement, slots: readonly Slot[]): Expr {
  if (expr.kind !== "column") return expr;
  const known = expr.table === undefined ? slots.some((s) => s.has.has(expr.name)) : true;
  if (known) return expr;
  const aliased = statement.items.find((item) => item.kind === "expr" && item.alias === expr.name);
  if (aliased && aliased.kind === "expr") return aliased.expr;
  throw invalidSql(`unknown column '${expr.name}' in group by`);
}

/** Harper's GROUP BY rules (spec sql.md §4.6): selected columns grouped, grouped terms selected. */
export function checkGrouping(statement: SelectStatement, explicit: OutputColumn[], groupBy: Expr[], slots: readonly Slot[]): void {
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
