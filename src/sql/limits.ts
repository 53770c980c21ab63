import { DEFAULT_LIMITS } from "../config/default-config.js";
import { invalidSql } from "./sql-error.js";
import type { SqlError } from "./sql-error.js";

/**
 * The limits one sql request must stay within (the `sql*` keys of `operationsApi.limits`,
 * `settings.limits`); each is answered with 400 naming the limit:
 * - `sqlLength`: characters of the statement (after trimming);
 * - `sqlDepth`: parentheses nested in it;
 * - `sqlColumns`: expressions in a select list;
 * - `sqlParseMs`: milliseconds its parse (and translation) may take.
 */
export interface SqlLimits {
  readonly sqlLength: number;
  readonly sqlDepth: number;
  readonly sqlColumns: number;
  readonly sqlParseMs: number;
}

/** The defaults of `operationsApi.limits` (config/default-config.ts). */
export const defaultSqlLimits: SqlLimits = {
  sqlLength: DEFAULT_LIMITS.sqlLength,
  sqlDepth: DEFAULT_LIMITS.sqlDepth,
  sqlColumns: DEFAULT_LIMITS.sqlColumns,
  sqlParseMs: DEFAULT_LIMITS.sqlParseMs,
};

/**
 * How deep a translated expression may nest, counting every operator, function call, CASE and
 * NOT, with or without parentheses (`1+1+1+...` is one level per `+`). Not configurable: it keeps
 * every recursive step after the parser (translation, planning, compiled evaluation) well inside
 * the thread's stack. AND and OR chains do not count their length: they are rebalanced.
 */
export const maxExpressionDepth = 1000;

const key = (name: keyof SqlLimits) => `operationsApi.limits.${name}`;

/** 400: the statement is longer than `sqlLength`. */
export const tooLong = (length: number, limit: number): SqlError =>
  invalidSql(`The SQL statement is ${length} characters long, more than the limit of ${limit} (${key("sqlLength")})`);

/** 400: parentheses nest deeper than `sqlDepth`. */
export const tooDeep = (limit: number): SqlError =>
  invalidSql(`The SQL statement nests parentheses more than ${limit} deep, the limit (${key("sqlDepth")})`);

/** 400: a select list has more than `sqlColumns` expressions. */
export const tooWide = (limit: number): SqlError =>
  invalidSql(`The SQL select list has more than ${limit} expressions, the limit (${key("sqlColumns")})`);

/** 400: the parse took longer than `sqlParseMs`. */
export const tooSlow = (limit: number): SqlError =>
  invalidSql(`The SQL statement took more than ${limit} ms to parse, the limit (${key("sqlParseMs")}); simplify it`);

/** 400: the parser ran out of the memory it may use. */
export const tooBig = (): SqlError => invalidSql("The SQL statement needs more memory to parse than the parser may use; simplify it");

/** 400: a translated expression nests deeper than maxExpressionDepth. */
export const expressionTooDeep = (): SqlError =>
  invalidSql(`An SQL expression nests more than ${maxExpressionDepth} operators, function calls or CASEs deep, the limit`);
