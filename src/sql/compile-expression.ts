import { castValue, scalarFunctions } from "./functions/index.js";
import type { BinaryOp, Expr } from "./ir.js";
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
  /**
   * Whether a column the tables do not have reads as undefined instead of failing: Harper
   * evaluates UPDATE's SET values with AlaSQL over the stored record, where it is just absent.
   */
  unknownColumnsUndefined?: boolean;
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

/**
 * A LIKE pattern as AlaSQL builds it: case-insensitive, `%` any run, `_` one character, `[...]`
 * and `[^...]` character classes, `/.*+?|(){}` taken literally (and, as in AlaSQL, `^`, `$` and
 * `\\` passed to the regular expression).
 */
export function likePattern(pattern: string): RegExp {
  let source = "^";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    const next = pattern[i + 1] ?? "";
    if (c === "[" && next === "^") {
      source += "[^";
      i++;
    } else if (c === "[" || c === "]") source += c;
    else if (c === "%") source += "[\\s\\S]*";
    else if (c === "_") source += ".";
    else if ("/.*+?|(){}".includes(c)) source += `\\${c}`;
    else source += c;
  }
  return new RegExp(`${source}$`, "i");
}

/** Whether LIKE matches, as AlaSQL's utils.like: the value as text, null as "". */
function like(pattern: string, value: unknown): boolean {
  return String(value ?? "").search(cachedRegex("LIKE", pattern)) > -1;
}

/** Structural equality, as AlaSQL's `==` (utils.deepEqual): values that are not both objects are equal only when identical (`1 == '1'` is false). */
function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

const regexCache = new Map<string, RegExp>();
/** A compiled pattern from a small cache; an invalid pattern is the statement's mistake. */
function cachedRegex(kind: "LIKE" | "REGEXP", pattern: string): RegExp {
  const key = `${kind}\u0000${pattern}`;
  let regex = regexCache.get(key);
  if (!regex) {
    if (regexCache.size > 200) regexCache.clear();
    try {
      regex = kind === "LIKE" ? likePattern(pattern) : new RegExp(pattern);
    } catch {
      throw invalidSql(`invalid ${kind} pattern '${pattern}'`);
    }
    regexCache.set(key, regex);
  }
  return regex;
}

const constant = (value: unknown): Evaluator => () => value;

/** A Date's time for IN lookups, as AlaSQL's getValueOf; other values as they are. */
const valueOf = (value: unknown): unknown => (value instanceof Date ? value.valueOf() : value);

/** Whether a column names an attribute of a table (an unknown qualifier counts as having it: resolveColumn refuses it). */
function hasColumn(slots: readonly Slot[], name: string, qualifier: string | undefined): boolean {
  if (qualifier === undefined) return slots.some((s) => s.has.has(name));
  const slot = slots.find((s) => s.alias === qualifier) ?? slots.find((s) => s.name === qualifier);
  return !slot || slot.has.has(name);
}

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
      if (context.unknownColumnsUndefined && !hasColumn(context.slots, expr.name, expr.table)) return () => undefined;
      const ref = resolveColumn(context.slots, expr.name, expr.table);
      context.onColumn?.(ref);
      const index = ref.slot.index;
      const column = ref.column;
      // Harper's rows hold every attribute a statement names, null where a record has none; the
      // missing side of an outer join is null too (Harper's joins fill it with nulls).
      return (row) => {
        const record = row[index];
        if (record === undefined) return null;
        const value = record[column];
        return value === undefined ? null : value;
      };
    }
    case "path": {
      const base = compile(expr.base);
      const key = expr.key;
      return (row) => {
        const value = base(row) as Record<string | number, unknown> | null | undefined;
        return value == null ? undefined : (value as Record<string | number, unknown>)[key];
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
      // AlaSQL: undefined when the operand or any listed value is null or missing.
      const operand = compile(expr.operand);
      const negated = expr.negated;
      if (expr.list.every((e) => e.kind === "literal")) {
        const values = expr.list.map((e) => (e as { value: unknown }).value);
        if (values.some((v) => v == null)) return constant(undefined);
        const set = new Set(values);
        return (row) => {
          const value = operand(row);
          return value == null ? undefined : set.has(valueOf(value)) !== negated;
        };
      }
      const list = expr.list.map(compile);
      return (row) => {
        const value = operand(row);
        const values = list.map((item) => item(row));
        if (value == null || values.some((v) => v == null)) return undefined;
        return values.includes(valueOf(value)) !== negated;
      };
    }
    case "between": {
      const operand = compile(expr.operand);
      const low = compile(expr.low);
      const high = compile(expr.high);
      const negated = expr.negated;
      return (row) => {
        const value = operand(row) as number;
        const lo = low(row) as number;
        const hi = high(row) as number;
        if (value == null || lo == null || hi == null) return undefined;
        return (lo <= value && value <= hi) !== negated;
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
      return (row) => {
        try {
          return castValue(operand(row), type, precision, scale);
        } catch (error) {
          // CAST(1611615927464 AS DATE) fails in AlaSQL too (Harper: 500): the statement's mistake.
          throw invalidSql(`CAST to ${type} failed: ${error instanceof Error ? error.message : String(error)}`);
        }
      };
    }
  }
}

/**
 * A binary operator with AlaSQL's semantics: AND and OR are JavaScript's `&&` and `||` over the
 * values, `||` concatenates (falsy operands as ""); every other operator is undefined (SQL NULL)
 * when an operand is null or missing, then `=` is strict, `<>` and `!=` loose, `==` structural.
 */
function compileBinary(expr: Extract<Expr, { kind: "binary" }>, compile: (e: Expr) => Evaluator): Evaluator {
  const left = compile(expr.left);
  const right = compile(expr.right);
  if (expr.op === "AND") return (row) => left(row) && right(row);
  if (expr.op === "OR") return (row) => left(row) || right(row);
  // AlaSQL compiles `||` without its null check: a null or missing side is "".
  if (expr.op === "||") return (row) => "" + ((left(row) as string) || "") + ((right(row) as string) || "");
  const op = operatorOf(expr.op);
  return (row) => {
    const a = left(row);
    const b = right(row);
    return a == null || b == null ? undefined : op(a, b);
  };
}

type Operator = (a: any, b: any) => unknown; // eslint-disable-line @typescript-eslint/no-explicit-any

function operatorOf(op: Exclude<BinaryOp, "AND" | "OR">): Operator {
  switch (op) {
    case "=":
      return (a, b) => a === b;
    case "===":
      return (a, b) => a.valueOf() === b.valueOf();
    case "==":
      return deepEqual;
    case "!==":
      return (a, b) => !deepEqual(a, b);
    case "!=":
    case "<>":
      return (a, b) => a != b;
    case "<":
      return (a, b) => a < b;
    case ">":
      return (a, b) => a > b;
    case "<=":
      return (a, b) => a <= b;
    case ">=":
      return (a, b) => a >= b;
    case "+":
      return (a, b) => a + b;
    case "-":
      return (a, b) => a - b;
    case "*":
      return (a, b) => a * b;
    case "/":
      return (a, b) => a / b;
    case "%":
      return (a, b) => a % b;
    case "||":
      return (a, b) => "" + (a || "") + (b || ""); // reached only through compileBinary's own case
    case "LIKE":
      return (a, b) => like(String(b), a);
    case "NOT LIKE":
      return (a, b) => !like(String(b), a);
    case "REGEXP":
      return (a, b) => String(a || "").search(cachedRegex("REGEXP", String(b))) > -1;
  }
}

function compileCall(expr: Extract<Expr, { kind: "call" }>, compile: (e: Expr) => Evaluator): Evaluator {
  const args = expr.args.map(compile);
  const fn = scalarFunctions.get(expr.name);
  if (!fn) {
    // Harper hands an unknown function's one argument through unchanged; with none or several it
    // fails (500 There was a problem performing this search).
    if (args.length !== 1) throw invalidSql(`unknown function ${expr.name} with ${args.length} arguments`);
    return args[0]!;
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
