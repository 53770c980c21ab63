import alasql from "alasql";
import type { BinaryOp, Expr, JoinClause, OrderKey, SelectItem, SelectStatement, Statement, TableRef } from "./ir.js";
import { columnName, harperText } from "./column-names.js";
import { expressionTooDeep, maxExpressionDepth } from "./limits.js";
import { invalidSql } from "./sql-error.js";

/** AlaSQL's AST classes (alasql.yy), checked with instanceof. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Node = any;
const yy = (alasql as unknown as { yy: Record<string, new (...args: unknown[]) => unknown> }).yy;
const is = (node: Node, name: string): boolean => node instanceof (yy[name] as new () => unknown);

const binaryOps: ReadonlySet<string> = new Set<BinaryOp>([
  "=", "==", "===", "!=", "!==", "<>", "<", ">", "<=", ">=", "AND", "OR", "+", "-", "*", "/", "%", "||", "LIKE", "NOT LIKE", "REGEXP",
]);
const unsupported = (what: string) => invalidSql(`${what} is not supported`);

/**
 * Translates AlaSQL's AST of one statement into the plain tree of ir.ts, refusing what harper-ops
 * does not run (sub-queries, UNION, comma joins, INSERT ... SELECT) with a clear message. It also
 * applies Harper's literal rewrites of a WHERE clause (whereExpression).
 */
export function translateStatement(node: Node, type: Statement["type"], params?: ReadonlyArray<number | string>): Statement {
  const outer = currentParams;
  const outerDepth = depth;
  const outerWhere = inWhere;
  currentParams = params;
  depth = 0;
  inWhere = false;
  try {
    return translateNode(node, type);
  } finally {
    currentParams = outer;
    depth = outerDepth;
    inWhere = outerWhere;
  }
}

/** Whether the expression being translated is (inside) a WHERE clause: see whereExpression. */
let inWhere = false;

/**
 * A WHERE clause, with the rewrites Harper 4.7 applies to the WHERE of SELECT, UPDATE and DELETE
 * (and nowhere else: not ON, HAVING or the select list), at any depth: a string literal on the
 * right of any binary operator that reads `true`/`TRUE`/`false`/`FALSE` is that boolean
 * (`v > 'true'` is `v > true`; `'true' = v` is left alone), and every literal of an IN list is
 * cast as Harper's autoCast casts it (harperCast).
 */
function whereExpression(node: Node): Expr {
  const outer = inWhere;
  inWhere = true;
  try {
    return expression(node);
  } finally {
    inWhere = outer;
  }
}

/** The values of `?` while a WHERE template is translated (where-template.ts). */
let currentParams: ReadonlyArray<number | string> | undefined;
/** How many expression() calls are open: the nesting of the expression being translated. */
let depth = 0;

function translateNode(node: Node, type: Statement["type"]): Statement {
  if (type === "select" && is(node, "Select")) return translateSelect(node);
  if (type === "insert" && is(node, "Insert")) {
    if (node.select) throw unsupported("INSERT ... SELECT");
    if (!node.columns) throw invalidSql("INSERT needs a column list: INSERT INTO db.table (columns) VALUES (...)");
    return {
      type: "insert",
      table: tableRef(node.into),
      columns: (node.columns as Node[]).map((c) => String(c.columnid)),
      rows: ((node.values ?? []) as Node[][]).map((row) => row.map(expression)),
    };
  }
  if (type === "update" && is(node, "Update")) {
    return {
      type: "update",
      table: tableRef(node.table),
      set: (node.columns as Node[]).map((c) => ({ column: String(c.column.columnid), value: expression(c.expression) })),
      where: node.where ? whereExpression(node.where) : undefined,
    };
  }
  if (type === "delete" && is(node, "Delete")) {
    return { type: "delete", table: tableRef(node.table), where: node.where ? whereExpression(node.where) : undefined };
  }
  throw invalidSql(`unsupported SQL type ${type} in SQL: [object Object]`);
}

function translateSelect(node: Node): SelectStatement {
  if (node.union || node.unionall || node.except || node.intersect) throw unsupported("UNION, EXCEPT and INTERSECT");
  if (node.queries?.length || node.exists?.length) throw unsupported("A sub-query");
  if (node.into) throw unsupported("SELECT ... INTO");
  const from = (node.from ?? []) as Node[];
  if (from.length > 1) throw unsupported("A comma join (FROM a, b)");
  if (from.length === 1 && !is(from[0], "Table")) throw unsupported("Selecting from anything but a table");
  const hasFrom = from.length === 1;
  const joins: JoinClause[] = ((node.joins ?? []) as Node[]).map((join) => {
    if (!join.table) throw unsupported("Joining anything but a table");
    if (join.using) throw unsupported("JOIN ... USING");
    if (join.natural) throw unsupported("NATURAL JOIN");
    const mode = String(join.joinmode) as JoinClause["mode"];
    if (!["INNER", "LEFT", "RIGHT", "OUTER", "CROSS"].includes(mode)) throw unsupported(`${mode} JOIN`);
    return { mode, table: { ...tableRef(join.table), alias: join.as ?? join.table.as }, on: join.on ? expression(join.on) : undefined };
  });
  const items: SelectItem[] = ((node.columns ?? []) as Node[]).map((column) => selectItem(column, hasFrom));
  const orderBy: OrderKey[] = ((node.order ?? []) as Node[]).map((key) => ({
    expr: expression(key.expression),
    descending: String(key.direction).toUpperCase() === "DESC",
  }));
  const top = node.top ? count(node.top, "TOP") : undefined;
  const limit = node.limit ? count(node.limit, "LIMIT") : top;
  return {
    type: "select",
    items,
    distinct: node.distinct === true,
    from: hasFrom ? tableRef(from[0]) : undefined,
    joins,
    where: node.where ? whereExpression(node.where.expression ?? node.where) : undefined,
    groupBy: ((node.group ?? []) as Node[]).map(expression),
    groupByText: ((node.group ?? []) as Node[]).map(harperText),
    having: node.having ? expression(node.having) : undefined,
    orderBy,
    limit,
    offset: node.offset ? count(node.offset, "OFFSET") : undefined,
  };
}

function count(node: Node, clause: string): number {
  const value = is(node, "NumValue") ? node.value : undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) throw invalidSql(`${clause} must be a non-negative integer`);
  return value;
}

function tableRef(node: Node): TableRef {
  return { database: node.databaseid, table: String(node.tableid), alias: node.as };
}

function selectItem(node: Node, hasFrom: boolean): SelectItem {
  if (is(node, "Column") && node.columnid === "*") return { kind: "star", table: node.tableid };
  const expr = expression(node);
  const alias = typeof node.as === "string" ? node.as : undefined;
  return { kind: "expr", expr, alias, name: alias ?? columnName(node, hasFrom), text: harperText(node) };
}

const booleanWords: ReadonlyMap<string, boolean> = new Map([["true", true], ["TRUE", true], ["false", false], ["FALSE", false]]);

/** Harper's rewrite of the right operand of a WHERE comparison: `'true'`/`'TRUE'`/`'false'`/`'FALSE'` become booleans. */
function booleanLiteral(expr: Expr): Expr {
  if (expr.kind === "literal" && typeof expr.value === "string" && booleanWords.has(expr.value)) return { kind: "literal", value: booleanWords.get(expr.value) };
  return expr;
}

/**
 * A string as Harper's autoCast reads it (its IN lists in WHERE): JSON-looking `[...]`/`{...}` is
 * parsed, `true`/`TRUE`/`false`/`FALSE` are booleans, and a number is a number unless it has a
 * leading zero (`'05'`, `'0x3'`; `'0'` and `'0.5'` are numbers) or an `e` (`'1e1'`): `' 3'`,
 * `'3.'`, `'+3'` and `'-02'` are numbers. `'null'`/`'undefined'` stay strings (Harper fails on them).
 */
export function harperCast(value: string): unknown {
  if ((value.startsWith("[") && value.endsWith("]")) || (value.startsWith("{") && value.endsWith("}"))) {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      return value;
    }
  }
  const word = booleanWords.get(value);
  if (word !== undefined) return word;
  const numeric = value.trim() !== "" && !Number.isNaN(Number(value)) && !Number.isNaN(parseFloat(value));
  if (!numeric) return value;
  if ((value.startsWith("0.") || (value !== "0" && !value.startsWith("0") && !/e/i.test(value))) || value === "0") return Number(value) + 0;
  return value;
}

/** Harper's rewrite of IN items in WHERE (harperCast). */
function inItem(expr: Expr): Expr {
  if (expr.kind === "literal" && typeof expr.value === "string") return { kind: "literal", value: harperCast(expr.value) };
  return expr;
}

/**
 * Translates one expression node. Throws SqlError when expressions nest deeper than
 * maxExpressionDepth (limits.ts), before the recursion can exhaust the stack. Only called within
 * translateStatement, which resets the depth count.
 */
export function expression(node: Node): Expr {
  // No finally: a throw ends the whole translation, and translateStatement restores the depth.
  if (++depth > maxExpressionDepth) throw expressionTooDeep();
  const expr = translateExpression(node);
  depth--;
  return expr;
}

function translateExpression(node: Node): Expr {
  if (node === undefined || node === null) throw invalidSql("missing expression");
  if (is(node, "Select")) throw unsupported("A sub-query");
  if (is(node, "Expression")) return expression(node.expression);
  if (is(node, "NumValue") || is(node, "StringValue") || is(node, "LogicValue")) return { kind: "literal", value: node.value };
  if (is(node, "NullValue")) return { kind: "literal", value: undefined };
  if (is(node, "Column")) {
    if (node.columnid === "*") throw invalidSql("* is only allowed in the select list and COUNT(*)");
    return { kind: "column", table: node.tableid, name: String(node.columnid) };
  }
  if (is(node, "AggrValue")) {
    const star = is(node.expression, "Column") && node.expression.columnid === "*";
    return {
      kind: "aggregate",
      // Aggregates registered with AlaSQL (MEDIAN, GROUP_CONCAT, ...) parse as REDUCE of their function.
      name: String(node.aggregatorid === "REDUCE" ? node.funcid : node.aggregatorid).toUpperCase(),
      distinct: node.distinct === true,
      arg: star || !node.expression ? undefined : expression(node.expression),
      text: String(node.toString()),
    };
  }
  if (is(node, "FuncValue")) {
    return { kind: "call", name: String(node.funcid).toUpperCase(), args: ((node.args ?? []) as Node[]).map(expression) };
  }
  if (is(node, "Convert")) {
    return { kind: "cast", type: String(node.dbtypeid).toUpperCase(), operand: expression(node.expression), precision: node.dbsize, scale: node.dbprecision };
  }
  if (is(node, "CaseValue")) {
    return {
      kind: "case",
      operand: node.expression ? expression(node.expression) : undefined,
      whens: ((node.whens ?? []) as Node[]).map((w) => ({ when: expression(w.when), then: expression(w.then) })),
      otherwise: node.elses ? expression(node.elses) : undefined,
    };
  }
  if (is(node, "UniOp")) {
    if (node.op === undefined) return expression(node.right); // parentheses
    if (node.op === "-" || node.op === "+" || node.op === "NOT") return { kind: "unary", op: node.op, operand: expression(node.right) };
    throw unsupported(`The operator ${String(node.op)}`);
  }
  if (is(node, "Op")) return operation(node);
  if (is(node, "ParamValue") && currentParams && typeof node.param === "number" && node.param < currentParams.length) {
    return { kind: "literal", value: currentParams[node.param] };
  }
  if (is(node, "ParamValue") || is(node, "VarValue")) throw unsupported("A parameter");
  throw unsupported(`The expression ${String(node.toString?.() ?? "")}`.trimEnd());
}

function operation(node: Node): Expr {
  const op = String(node.op).toUpperCase();
  if (op === "->") {
    const key = typeof node.right === "object" && node.right !== null ? node.right.value : node.right;
    if (typeof key !== "string" && typeof key !== "number") throw unsupported("A computed -> key");
    return { kind: "path", base: expression(node.left), key };
  }
  if (op === "IN" || op === "NOT IN") {
    if (!Array.isArray(node.right)) throw unsupported("A sub-query");
    const list = (node.right as Node[]).map((n) => expression(n));
    return { kind: "in", negated: op === "NOT IN", operand: expression(node.left), list: inWhere ? list.map(inItem) : list };
  }
  if (op === "BETWEEN" || op === "NOT BETWEEN") {
    return { kind: "between", negated: op === "NOT BETWEEN", operand: expression(node.left), low: expression(node.right1), high: expression(node.right2) };
  }
  if (op === "IS") {
    if (is(node.right, "NullValue")) return { kind: "isNull", negated: false, operand: expression(node.left) };
    if (is(node.right, "UniOp") && node.right.op === "NOT" && is(node.right.right, "NullValue")) {
      return { kind: "isNull", negated: true, operand: expression(node.left) };
    }
    throw unsupported("IS with anything but NULL");
  }
  if (op === "AND" || op === "OR") return chain(node, op);
  if (!binaryOps.has(op)) throw unsupported(`The operator ${op}`);
  const left = expression(node.left);
  const right = expression(node.right);
  return { kind: "binary", op: op as BinaryOp, left, right: inWhere ? booleanLiteral(right) : right };
}

/**
 * A chain of one associative operator (`a OR b OR c ...`, which AlaSQL parses left-deep) as a
 * balanced tree of the same terms in the same order: `&&` and `||` are associative, so the value
 * and the order of evaluation are unchanged, while the depth is log2 of the length instead of the
 * length. The chain is walked without recursion.
 */
function chain(node: Node, op: "AND" | "OR"): Expr {
  const terms: Node[] = [];
  const pending: Node[] = [node];
  while (pending.length > 0) {
    const next = pending.pop();
    if (is(next, "Op") && String(next.op).toUpperCase() === op) pending.push(next.right, next.left);
    else terms.push(next);
  }
  return balanced(op, terms.map(expression), 0, terms.length);
}

function balanced(op: "AND" | "OR", terms: Expr[], from: number, to: number): Expr {
  if (to - from === 1) return terms[from]!;
  const middle = (from + to) >>> 1;
  return { kind: "binary", op, left: balanced(op, terms, from, middle), right: balanced(op, terms, middle, to) };
}
