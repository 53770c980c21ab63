import { hasAggregate, walk } from "./compile-expression.js";
import type { Expr, SelectStatement } from "./ir.js";
import type { Slot } from "./scope.js";
import { invalidSql } from "./sql-error.js";

/**
 * A canonical text of an expression (its source text left out), to compare GROUP BY terms with
 * select items, and to tell repeated aggregates and repeated output columns apart.
 */
export const canonical = (expr: Expr) => JSON.stringify(expr, (key, value) => (key === "text" ? undefined : value));

/** A select item the GROUP BY must account for: a table's attribute, or an expression. */
interface Ungrouped {
  /** How Harper names it in `select column '...' must be in group by`. */
  label: string;
  attribute?: { slot: number; name: string };
  expr?: Expr;
}

/**
 * Harper's GROUP BY rules (spec sql.md §4.6), in the order of Harper 4.7.29's validator: each
 * GROUP BY term in turn must name a known, unambiguous column (`unknown column 'x' in group by`,
 * a select alias included; `ambiguously defined column 'x' in group by`) that is in the select list (`group by column 'x'
 * must be in select`), and only then must every remaining select column be grouped (`select column
 * 'x' must be in group by`). `*` stands for its attributes (`starColumns`, per slot), listed after
 * the other items as Harper appends them.
 *
 * Where Harper refuses valid SQL, harper-ops does not (docs/compatibility.md): a column selected
 * twice is grouped by one term, and select items that read no column or hold an aggregate
 * (`1`, `ROUND(AVG(age))`) need no GROUP BY term.
 */
export function checkGrouping(
  statement: SelectStatement,
  groupBy: Expr[],
  slots: readonly Slot[],
  starColumns: (slot: Slot) => readonly string[],
): void {
  const ungrouped: Ungrouped[] = [];
  for (const item of statement.items) {
    if (item.kind === "star") continue;
    const expr = item.expr;
    if (expr.kind === "call" && expr.name === "DISTINCT_ARRAY") continue;
    if (expr.kind === "column") {
      const owner = owners(slots, expr)[0];
      if (owner) ungrouped.push({ label: expr.name, attribute: { slot: owner.index, name: expr.name } });
      continue;
    }
    if (hasAggregate(expr) || !readsColumns(expr)) continue;
    ungrouped.push({ label: item.text, expr });
  }
  for (const item of statement.items) {
    if (item.kind !== "star") continue;
    const targets = item.table === undefined ? slots : slots.filter((s) => s.alias === item.table || s.name === item.table);
    for (const slot of targets) for (const name of starColumns(slot)) ungrouped.push({ label: name, attribute: { slot: slot.index, name } });
  }
  groupBy.forEach((term, k) => {
    const text = statement.groupByText[k] ?? "expression";
    let matches: (u: Ungrouped) => boolean;
    if (term.kind === "column") {
      const found = owners(slots, term);
      if (found.length === 0) throw invalidSql(`unknown column '${text}' in group by`);
      if (found.length > 1) throw invalidSql(`ambiguously defined column '${text}' in group by`);
      const slot = found[0]!.index;
      matches = (u) => u.attribute?.slot === slot && u.attribute.name === term.name;
    } else {
      const key = canonical(term);
      matches = (u) => u.expr !== undefined && canonical(u.expr) === key;
    }
    const before = ungrouped.length;
    for (let i = ungrouped.length - 1; i >= 0; i--) if (matches(ungrouped[i]!)) ungrouped.splice(i, 1);
    if (ungrouped.length === before) throw invalidSql(`group by column '${text}' must be in select`);
  });
  if (ungrouped.length) throw invalidSql(`select column '${ungrouped[0]!.label}' must be in group by`);
}

/** The slots a column may belong to: the one its qualifier names, or every slot that has it. */
function owners(slots: readonly Slot[], column: Extract<Expr, { kind: "column" }>): Slot[] {
  if (column.table === undefined) return slots.filter((s) => s.has.has(column.name));
  const slot = slots.find((s) => s.alias === column.table) ?? slots.find((s) => s.name === column.table);
  return slot && slot.has.has(column.name) ? [slot] : [];
}

function readsColumns(expr: Expr): boolean {
  let found = false;
  walk(expr, (e) => {
    if (e.kind === "column") found = true;
  });
  return found;
}
