import { createAccumulator } from "./aggregates.js";
import { canonical } from "./check-grouping.js";
import { compileExpression, hasAggregate } from "./compile-expression.js";
import type { CompileContext, Evaluator } from "./compile-expression.js";
import type { SelectStatement } from "./ir.js";
import { invalidSql } from "./sql-error.js";

/** An aggregate to compute per group: its accumulator's kind and its argument per row. */
export interface AggregatePlan {
  name: string;
  distinct: boolean;
  evaluate: Evaluator;
}

/** The aggregates a statement computes, and the hook that registers them while its expressions compile. */
export interface AggregatePlans {
  /** In order of first appearance; identical aggregates share one entry (and one accumulator). */
  plans: AggregatePlan[];
  /** CompileContext's `aggregate`: the index of an aggregate's value in GroupRow.totals. */
  aggregate: NonNullable<CompileContext["aggregate"]>;
}

/**
 * Collects the aggregates of a statement as its expressions compile, their arguments compiled in
 * `rowContext`. Throws `unknown aggregate x` for a name no accumulator has.
 */
export function aggregatePlans(rowContext: CompileContext): AggregatePlans {
  const plans: AggregatePlan[] = [];
  const aggregateKeys = new Map<string, number>();
  const aggregate: AggregatePlans["aggregate"] = (expr) => {
    const key = `${expr.name}|${expr.distinct}|${expr.arg ? canonical(expr.arg) : "*"}`;
    let index = aggregateKeys.get(key);
    if (index === undefined) {
      if (!createAccumulator(expr.name, expr.distinct)) throw invalidSql(`unknown aggregate ${expr.name}`);
      index = plans.length;
      const evaluate = expr.arg ? compileExpression(expr.arg, rowContext) : () => 1;
      plans.push({ name: expr.name, distinct: expr.distinct, evaluate });
      aggregateKeys.set(key, index);
    }
    return index;
  };
  return { plans, aggregate };
}

/** Whether a statement aggregates: GROUP BY, or an aggregate in the select list or HAVING. */
export function isGrouped(statement: SelectStatement): boolean {
  return (
    statement.groupBy.length > 0 ||
    statement.items.some((item) => item.kind === "expr" && hasAggregate(item.expr)) ||
    (statement.having !== undefined && hasAggregate(statement.having))
  );
}
