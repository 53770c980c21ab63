import { castValue, scalarFunctions } from "./functions/index.js";
import type { Expr } from "./ir.js";
import { resolveColumn } from "./scope.js";
import type { ColumnRef, Row, Slot } from "./scope.js";
import { invalidSql } from "./sql-error.js";

/** A compiled expression: the value it has for one row (or one group, see GroupRow). */
export type Evaluator = (row: Row) => unknown;

/** A group after aggregation: its first row, plus the aggregate values in `values`. */
export type GroupRow = Row & { totals: unknown[] };

/** What an expression may refer to where it is compiled. */
export interface CompileContext {
  slots: readonly Slot[];
  /** Called for every column an expression reads (the permission check collects them). */
  onColumn?: (ref: ColumnRef) => void;
  /** The index of an aggregate's value in GroupRow.totals; absent where aggregates are not allowed. */
  aggregate?: (expr: Extract<Expr, { kind: "aggregate" }>) => number;
  /** A select-list alias, for ORDER BY and HAVING. */
  alias?: (name: string) => Evaluator | undefined;
}

/** Whether an expression holds an aggregate anywhere. */
export function hasAggregate(expr: Expr): boolean {
  let found = false;
  walk(expr, (e) => {
    if (e.kind === "aggregate") found = true;
  });
  return found;
}

/** Calls `visit` on an expression and every expression inside it (not inside aggregates' args when `skipAggregateArgs`). */
export function walk(expr: Expr, visit: (e: Expr) => void): void {
  visit(expr);
  switch (expr.kind) {
    case "path":
      return walk(expr.base, visit);
    case "unary":
      return walk(expr.operand, visit);
    case "binary":
      walk(expr.left, visit);
      return walk(expr.right, visit);
    case "in":
      walk(expr.operand, visit);
      return expr.list.forEach((e) => walk(e, visit));
    case "between":
      walk(expr.operand, visit);
      walk(expr.low, visit);
      return walk(expr.high, visit);
    case "isNull":
      return walk(expr.operand, visit);
    case "call":
      return expr.args.forEach((e) => walk(e, visit));
    case "aggregate":
      if (expr.arg) walk(expr.arg, visit);
      return;
    case "case":
      if (expr.operand) walk(expr.operand, visit);
      for (const w of expr.whens) {
        walk(w.when, visit);
        walk(w.then, visit);
      }
      if (expr.otherwise) walk(expr.otherwise, visit);
      return;
    case "cast":
      return walk(expr.operand, visit);
    default:
      return;
  }
}

/** A LIKE pattern as a case-insensitive regular expression: `%` any run, `_` one character. */
export function likePattern(pattern: string): RegExp {
  let source = "";
  for (const ch of pattern) {
    if (ch === "%") source += "[\\s\\S]*";
    else if (ch === "_") source += "[\\s\\S]";
    else source += ch.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  }
  return new RegExp(`^${source}$`, "i");
}

const regexCache = new Map<string, RegExp>();
function cachedRegex(pattern: string, make: (p: string) => RegExp): RegExp {
  let regex = regexCache.get(pattern);
  if (!regex) {
    if (regexCache.size > 200) regexCache.clear();
    regex = make(pattern);
    regexCache.set(pattern, regex);
  }
  return regex;
}

const constant = (value: unknown): Evaluator => () => value;

/**
 * Compiles an expression into a closure over rows, with AlaSQL's JavaScript semantics (spec sql.md
 * §4.4): `=` is strict, `<`/`>` compare as JavaScript does, LIKE ignores case, IS NULL also
 * matches a missing attribute, `->` reads a property. Columns are resolved now, so an unknown or
 * ambiguous column fails before any row is read.
 */
export function compileExpression(expr: Expr, context: CompileContext): Evaluator {
  const compile = (e: Expr) => compileExpression(e, context);
  switch (expr.kind) {
    case "literal":
      return constant(expr.value);
    case "column": {
      if (expr.table === undefined && context.alias) {
        const aliased = context.alias(expr.name);
        if (aliased) return aliased;
      }
      const ref = resolveColumn(context.slots, expr.name, expr.table);
      context.onColumn?.(ref);
      const index = ref.slot.index;
      const column = ref.column;
      return (row) => row[index]?.[column];
    }
    case "path": {
      const base = compile(expr.base);
      const key = expr.key;
      return (row) => {
        const value = base(row) as Record<string | number, unknown> | null | undefined;
        return value !== null && typeof value === "object" ? value[key] : undefined;
      };
    }
    case "unary": {
      const operand = compile(expr.operand);
      if (expr.op === "NOT") return (row) => !operand(row);
      if (expr.op === "-") return (row) => -(operand(row) as number);
      return (row) => +(operand(row) as number);
    }
    case "binary":
      return compileBinary(expr, compile);
    case "in": {
      const operand = compile(expr.operand);
      const negated = expr.negated;
      if (expr.list.every((e) => e.kind === "literal")) {
        const set = new Set(expr.list.map((e) => (e as { value: unknown }).value));
        return (row) => set.has(operand(row)) !== negated;
      }
      const list = expr.list.map(compile);
      return (row) => {
        const value = operand(row);
        return list.some((item) => item(row) === value) !== negated;
      };
    }
    case "between": {
      const operand = compile(expr.operand);
      const low = compile(expr.low);
      const high = compile(expr.high);
      const negated = expr.negated;
      return (row) => {
        const value = operand(row) as number;
        return ((low(row) as number) <= value && value <= (high(row) as number)) !== negated;
      };
    }
    case "isNull": {
      const operand = compile(expr.operand);
      const negated = expr.negated;
      return (row) => (operand(row) == null) !== negated;
    }
    case "call":
      return compileCall(expr, compile);
    case "aggregate": {
      if (!context.aggregate) throw invalidSql(`aggregate ${expr.text} is not allowed here`);
      const index = context.aggregate(expr);
      return (row) => (row as GroupRow).totals[index];
    }
    case "case": {
      const operand = expr.operand ? compile(expr.operand) : undefined;
      const whens = expr.whens.map((w) => ({ when: compile(w.when), then: compile(w.then) }));
      const otherwise = expr.otherwise ? compile(expr.otherwise) : constant(undefined);
      return (row) => {
        const subject = operand?.(row);
        for (const w of whens) {
          const hit = operand ? w.when(row) === subject : w.when(row);
          if (hit) return w.then(row);
        }
        return otherwise(row);
      };
    }
    case "cast": {
      const operand = compile(expr.operand);
      const { type, precision, scale } = expr;
      return (row) => castValue(operand(row), type, precision, scale);
    }
  }
}

function compileBinary(expr: Extract<Expr, { kind: "binary" }>, compile: (e: Expr) => Evaluator): Evaluator {
  const left = compile(expr.left);
  if ((expr.op === "LIKE" || expr.op === "NOT LIKE" || expr.op === "REGEXP") && expr.right.kind === "literal") {
    const pattern = String(expr.right.value);
    const regex = expr.op === "REGEXP" ? new RegExp(pattern) : likePattern(pattern);
    const negated = expr.op === "NOT LIKE";
    return (row) => {
      const value = left(row);
      if (value == null) return false;
      return regex.test(String(value)) !== negated;
    };
  }
  const right = compile(expr.right);
  switch (expr.op) {
    case "=":
    case "==":
    case "===":
      return (row) => left(row) === right(row);
    case "!=":
    case "!==":
    case "<>":
      return (row) => left(row) !== right(row);
    case "<":
      return (row) => (left(row) as number) < (right(row) as number);
    case ">":
      return (row) => (left(row) as number) > (right(row) as number);
    case "<=":
      return (row) => (left(row) as number) <= (right(row) as number);
    case ">=":
      return (row) => (left(row) as number) >= (right(row) as number);
    case "AND":
      return (row) => left(row) && right(row);
    case "OR":
      return (row) => left(row) || right(row);
    case "+":
      return (row) => (left(row) as number) + (right(row) as number);
    case "-":
      return (row) => (left(row) as number) - (right(row) as number);
    case "*":
      return (row) => (left(row) as number) * (right(row) as number);
    case "/":
      return (row) => (left(row) as number) / (right(row) as number);
    case "%":
      return (row) => (left(row) as number) % (right(row) as number);
    case "||":
      return (row) => "" + (left(row) as string) + (right(row) as string);
    case "LIKE":
    case "NOT LIKE": {
      const negated = expr.op === "NOT LIKE";
      return (row) => {
        const value = left(row);
        const pattern = right(row);
        if (value == null || pattern == null) return false;
        return cachedRegex(String(pattern), likePattern).test(String(value)) !== negated;
      };
    }
    case "REGEXP":
      return (row) => {
        const value = left(row);
        const pattern = right(row);
        if (value == null || pattern == null) return false;
        return cachedRegex(String(pattern), (p) => new RegExp(p)).test(String(value));
      };
  }
}

function compileCall(expr: Extract<Expr, { kind: "call" }>, compile: (e: Expr) => Evaluator): Evaluator {
  const args = expr.args.map(compile);
  const fn = scalarFunctions.get(expr.name);
  if (!fn) {
    // Harper hands an unknown function's first argument through unchanged.
    const first = args[0] ?? constant(undefined);
    return first;
  }
  const call = (values: unknown[]): unknown => {
    try {
      return fn(values);
    } catch (error) {
      // A function refusing its arguments (LEN of null, a bad SEARCH_JSON expression) is the
      // statement's mistake, answered with the function's message.
      throw invalidSql(error instanceof Error ? error.message : String(error));
    }
  };
  if (args.length === 0) return () => call([]);
  if (args.length === 1) {
    const [a] = args as [Evaluator];
    return (row) => call([a(row)]);
  }
  return (row) => call(args.map((a) => a(row)));
}
