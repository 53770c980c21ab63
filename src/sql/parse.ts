import alasql from "alasql";
import type { Statement } from "./ir.js";
import { invalidSql } from "./sql-error.js";
import { translateStatement } from "./translate.js";
import { whereTemplate } from "./where-template.js";

const advice = "Please ensure your SQL is valid. Try adding backticks to reserved words and schema table references.";
/** Harper's answer for input the parser rejects without a position (and for a non-string `sql`). */
export const troubleParsing = `We had trouble parsing your request. ${advice}`;
const statementTypes: ReadonlySet<string> = new Set(["select", "insert", "update", "delete"]);

// Harper registers these aggregates with AlaSQL, which makes its parser read them as aggregates
// (like its own MEDIAN); the functions themselves are never called, aggregates.ts computes them.
const aggregators = (alasql as unknown as { aggr: Record<string, unknown> }).aggr;
for (const name of ["MEAN", "MODE", "MAD", "PROD"]) aggregators[name] ??= () => undefined;

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
 * words, quoting and error positions are Harper's) and translates it. Throws SqlError: `Invalid SQL
 * at: <excerpt>` for a syntax error, Harper's "unsupported SQL type" for anything but SELECT,
 * INSERT, UPDATE and DELETE (the type is the text before the first space, as Harper reads it).
 * The result is shared between calls: callers must not change it.
 */
export function parseStatement(text: string): Statement {
  const sql = text.trim();
  const cached = cache.get(sql);
  if (cached) return cached;
  const type = statementType(sql);
  const template = statementTypes.has(type) ? whereTemplate(sql) : undefined;
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
    if (ast !== null) return translateStatement(ast, type as Statement["type"], template.params);
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
  const statement = translateStatement(first, type as Statement["type"]);
  remember(cache, sql, statement);
  return statement;
}
