/**
 * The statements the sql operation runs, as plain data: what translate.ts makes of AlaSQL's AST.
 * Nothing here knows AlaSQL's classes, so the planner, the evaluator and the permission check
 * read one small tree.
 */

/** A binary operator, as AlaSQL spells it. */
export type BinaryOp =
  | "="
  | "=="
  | "==="
  | "!="
  | "!=="
  | "<>"
  | "<"
  | ">"
  | "<="
  | ">="
  | "AND"
  | "OR"
  | "+"
  | "-"
  | "*"
  | "/"
  | "%"
  | "||"
  | "LIKE"
  | "NOT LIKE"
  | "REGEXP";

/** An expression. `column.table` is the qualifier as written (a table name or alias). */
export type Expr =
  | { kind: "literal"; value: unknown }
  | { kind: "column"; table?: string; name: string }
  | { kind: "path"; base: Expr; key: string | number }
  | { kind: "unary"; op: "-" | "+" | "NOT"; operand: Expr }
  | { kind: "binary"; op: BinaryOp; left: Expr; right: Expr }
  | { kind: "in"; negated: boolean; operand: Expr; list: Expr[] }
  | { kind: "between"; negated: boolean; operand: Expr; low: Expr; high: Expr }
  | { kind: "isNull"; negated: boolean; operand: Expr }
  | { kind: "call"; name: string; args: Expr[] }
  | { kind: "aggregate"; name: string; distinct: boolean; arg?: Expr; text: string }
  | { kind: "case"; operand?: Expr; whens: Array<{ when: Expr; then: Expr }>; otherwise?: Expr }
  | { kind: "cast"; type: string; operand: Expr; precision?: number; scale?: number };

/**
 * One item of a select list: `*`/`t.*`, or an expression with the key it gets in each row and its
 * text as Harper prints it (without the alias), for messages.
 */
export type SelectItem =
  | { kind: "star"; table?: string }
  | { kind: "expr"; expr: Expr; alias?: string; name: string; text: string };

/** A table as a statement names it. */
export interface TableRef {
  database?: string;
  table: string;
  alias?: string;
}

/** INNER, LEFT, RIGHT, OUTER (full) or CROSS join of one more table. */
export interface JoinClause {
  mode: "INNER" | "LEFT" | "RIGHT" | "OUTER" | "CROSS";
  table: TableRef;
  on?: Expr;
}

/** An ORDER BY key: an expression, or a 1-based position in the select list. */
export interface OrderKey {
  expr: Expr;
  descending: boolean;
}

export interface SelectStatement {
  type: "select";
  items: SelectItem[];
  distinct: boolean;
  from?: TableRef;
  joins: JoinClause[];
  where?: Expr;
  groupBy: Expr[];
  /** Each GROUP BY term's text as Harper prints it (`d.id`, `UPPER(name)`), for messages. */
  groupByText: string[];
  having?: Expr;
  orderBy: OrderKey[];
  limit?: number;
  offset?: number;
}

export interface InsertStatement {
  type: "insert";
  table: TableRef;
  columns: string[];
  rows: Expr[][];
}

export interface UpdateStatement {
  type: "update";
  table: TableRef;
  set: Array<{ column: string; value: Expr }>;
  where?: Expr;
}

export interface DeleteStatement {
  type: "delete";
  table: TableRef;
  where?: Expr;
}

export type Statement = SelectStatement | InsertStatement | UpdateStatement | DeleteStatement;
