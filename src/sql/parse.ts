import alasql from "alasql";
import { checkSqlText } from "./check-sql-text.js";
import { harperAggregates } from "./column-names.js";
import type { Statement } from "./ir.js";
import { defaultSqlLimits, expressionTooDeep } from "./limits.js";
import type { SqlLimits } from "./limits.js";
import { invalidSql } from "./sql-error.js";
import { translateStatement } from "./translate.js";
import { whereTemplate } from "./where-template.js";

const advice = "Please ensure your SQL is valid. Try adding backticks to reserved words and schema table references.";
/** Harper's answer for input the parser rejects without a position (and for a non-string `sql`). */
export const troubleParsing = `We had trouble parsing your request. ${advice}`;
const statementTypes: ReadonlySet<string> = new Set(["select", "insert", "update", "delete"]);

// Harper registers these aggregates with AlaSQL in lower and upper case, which makes its parser
// read them as aggregates (REDUCE); the functions themselves are never called, aggregates.ts
// computes them.
const aggregators = (alasql as unknown as { aggr: Record<string, unknown> }).aggr;
for (const name of harperAggregates) aggregators[name] ??= () => undefined;

/**
 * Statements up to this many characters are parsed on the calling thread, cached and turned into
 * WHERE templates; longer ones are parsed on the parse thread under the time limit
 * (bounded-parse.ts) and never cached, so that neither cache can hold large trees. Within the
 * `sqlDepth` pre-check a statement of this size parses in under 100 ms (measured: docs/sql.md, Limits).
 */
export const inlineParseLength = 4096;

/** Parsed statements by their text: the parser is the slowest step of a small query. */
const cache = new Map<string, Statement>();
/** AlaSQL's ASTs of WHERE templates (where-template.ts); null for a template that does not parse. */
const templates = new Map<string, unknown>();
const cacheSize = 500;

function remember<T>(map: Map<string, T>, key: string, value: T): void {
  if (map.size >= cacheSize) map.delete(map.keys().next().value as string);
  map.set(key, value);
}

/** The first statement of AlaSQL's parse, or undefined when there is none. */
function parseFirst(sql: string): unknown {
  return (alasql.parse(sql) as unknown as { statements: unknown[] }).statements[0];
}

/** The statement type Harper reads: the text before the first space, lower-cased. */
function statementType(sql: string): string {
  const space = sql.indexOf(" ");
  return (space < 0 ? sql : sql.slice(0, space)).toLowerCase();
}

/**
 * Parses the first statement of `text` with AlaSQL 4.6's grammar (Harper's parser, so reserved
 * words, quoting and error positions are Harper's) and translates it, on the calling thread.
 * First checks the text against `limits` (check-sql-text.ts: length, parenthesis depth, select
 * list width); the parse time limit is bounded-parse.ts's, which calls this on its thread for
 * long statements. Throws SqlError: a limit, `Invalid SQL at: <excerpt>` for a syntax error,
 * Harper's "unsupported SQL type" for anything but SELECT, INSERT, UPDATE and DELETE (the type is
 * the text before the first space, as Harper reads it). The result is shared between calls:
 * callers must not change it.
 */
export function parseStatement(text: string, limits: SqlLimits = defaultSqlLimits): Statement {
  const sql = text.trim();
  checkSqlText(sql, limits);
  const cached = cache.get(sql);
  if (cached) return cached;
  const short = sql.length <= inlineParseLength;
  const type = statementType(sql);
  const template = short && statementTypes.has(type) ? whereTemplate(sql) : undefined;
  if (template) {
    let ast = templates.get(template.text);
    if (ast === undefined) {
      try {
        ast = parseFirst(template.text) ?? null;
      } catch {
        ast = null;
      }
      remember(templates, template.text, ast);
    }
    if (ast !== null) return translated(ast, type as Statement["type"], template.params);
  }
  let first: unknown;
  try {
    first = parseFirst(sql);
  } catch (error) {
    const message = error instanceof Error ? error.message : "";
    const lines = message.split("\n");
    if (lines[0]?.startsWith("Parse error on line") && lines[1] !== undefined) {
      throw invalidSql(`Invalid SQL at: ${lines[1]}. ${advice}`);
    }
    throw invalidSql(troubleParsing);
  }
  if (!statementTypes.has(type) || first === undefined) {
    throw invalidSql(`unsupported SQL type ${type} in SQL: [object Object]`);
  }
  const statement = translated(first, type as Statement["type"]);
  if (short) remember(cache, sql, statement);
  return statement;
}

/**
 * translateStatement, with a stack overflow in AlaSQL's own recursion (the text of a select item
 * is its AST printed back) answered as the expression depth limit rather than as a crash.
 */
function translated(ast: unknown, type: Statement["type"], params?: ReadonlyArray<number | string>): Statement {
  try {
    return translateStatement(ast, type, params);
  } catch (error) {
    if (error instanceof RangeError && /call stack/i.test(error.message)) throw expressionTooDeep();
    throw error;
  }
}
