import type { Expr, SelectStatement } from "./ir.js";
import { conjuncts, hasOr, indexConditions, slotsOf } from "./plan-access.js";
import type { IndexCondition } from "./plan-access.js";
import type { Slot } from "./scope.js";

/** How the WHERE clause may narrow the reads of each table of a statement. */
export interface SlotConditions {
  /** Per slot, the WHERE terms on that table alone that an index or the primary key can answer. */
  conditionsBySlot: IndexCondition[][];
  /** Per slot, whether every row holds a record of it (no outer join may supply none). */
  preserved: boolean[];
}

/**
 * Splits the WHERE clause of a statement into index conditions per table: a term on one table
 * narrows that table's reads unless an outer join may give the table no record.
 * Ranges are used only when the clause has no OR.
 */
export function slotConditions(statement: SelectStatement, slots: readonly Slot[]): SlotConditions {
  const conditionsBySlot: IndexCondition[][] = slots.map(() => []);
  const preserved = slots.map((_, index) => !isNullSupplied(statement, index));
  const ranges = !hasOr(statement.where);
  const termsBySlot: Expr[][] = slots.map(() => []);
  for (const term of conjuncts(statement.where)) {
    const used = slotsOf(term, slots);
    if (used.size !== 1) continue;
    const index = [...used][0]!;
    if (preserved[index]) termsBySlot[index]!.push(term);
  }
  termsBySlot.forEach((terms, index) => {
    if (terms.length) conditionsBySlot[index] = indexConditions(terms, slots[index]!, slots, ranges);
  });
  return { conditionsBySlot, preserved };
}

/** Whether an outer join may give this slot no record (then WHERE terms on it cannot narrow its reads). */
function isNullSupplied(statement: SelectStatement, index: number): boolean {
  const later = statement.joins.slice(index);
  if (later.some((j) => j.mode === "RIGHT" || j.mode === "OUTER")) return true;
  if (index === 0) return false;
  const own = statement.joins[index - 1]!;
  return own.mode === "LEFT" || own.mode === "OUTER";
}
