import { test } from "node:test";
import assert from "node:assert/strict";
import alasql from "alasql";
import { checkSqlText } from "../src/sql/check-sql-text.js";
import type { SqlLimits } from "../src/sql/limits.js";
import { defaultSqlLimits } from "../src/sql/limits.js";
import { parseStatement } from "../src/sql/parse.js";
import { isSqlError } from "../src/sql/sql-error.js";

// The pre-parse scan of the SQL size limits (src/sql/check-sql-text.ts): length, parenthesis
// depth and select-list width, with strings, quoted names and comments skipped as AlaSQL's lexer
// skips them.

const huge: SqlLimits = { sqlLength: 10_000_000, sqlDepth: 10_000_000, sqlColumns: 10_000_000, sqlParseMs: 2000 };

/** The message checkSqlText throws for `sql` under `limits`, or undefined when it passes. */
function refusal(sql: string, limits: Partial<SqlLimits>): string | undefined {
  try {
    checkSqlText(sql, { ...huge, ...limits });
    return undefined;
  } catch (error) {
    assert.ok(isSqlError(error) && error.kind === "invalid", String(error));
    return error.message;
  }
}

/** The deepest parenthesis nesting the scan sees: the least sqlDepth that lets `sql` pass. */
function depthOf(sql: string): number {
  let depth = 0;
  while (refusal(sql, { sqlDepth: depth }) !== undefined) depth++;
  return depth;
}

/** The widest select list the scan sees: the least sqlColumns that lets `sql` pass. */
function widthOf(sql: string): number {
  let width = 1;
  while (refusal(sql, { sqlColumns: width }) !== undefined) width++;
  return width;
}

const depthMessage = (limit: number) => `The SQL statement nests parentheses more than ${limit} deep, the limit (operationsApi.limits.sqlDepth)`;
const widthMessage = (limit: number) => `The SQL select list has more than ${limit} expressions, the limit (operationsApi.limits.sqlColumns)`;

test("the length limit counts characters, and the message names the limit", () => {
  const sql = `SELECT '${"x".repeat(100)}'`;
  assert.equal(refusal(sql, { sqlLength: sql.length }), undefined);
  assert.equal(
    refusal(sql, { sqlLength: sql.length - 1 }),
    `The SQL statement is ${sql.length} characters long, more than the limit of ${sql.length - 1} (operationsApi.limits.sqlLength)`,
  );
});

test("the depth limit counts nested parentheses, not sequential ones", () => {
  const nested = (n: number) => `SELECT ${"(".repeat(n)}1${"+1)".repeat(n)} FROM d.t`;
  assert.equal(depthOf(nested(7)), 7);
  assert.equal(depthOf(`SELECT ${"(1) + ".repeat(50)}1 FROM d.t`), 1);
  assert.equal(depthOf("SELECT COUNT(*) FROM d.t WHERE a IN (1, (2), ((3)))"), 3);
  assert.equal(refusal(nested(100), { sqlDepth: 100 }), undefined);
  assert.equal(refusal(nested(101), { sqlDepth: 100 }), depthMessage(100));
  // Unbalanced closing parentheses never make the depth negative.
  assert.equal(depthOf(`SELECT 1)))) + ${"(".repeat(3)}1)))`), 3);
});

test("parentheses and commas inside strings, quoted names and comments do not count", () => {
  const deep = "(".repeat(500);
  const commas = ",".repeat(500);
  for (const hidden of [
    `'${deep}${commas}'`,
    `"${deep}${commas}"`,
    `'it''s ${deep}${commas}'`,
    `'a\\' ${deep}${commas}'`,
    `"say ""${deep}${commas}"""`,
    `\`${deep}${commas}\``,
    `\`\`${deep}${commas}\`\``,
    `[${deep}${commas}]`,
  ]) {
    const sql = `SELECT ${hidden} AS x, 2 FROM d.t`;
    assert.equal(depthOf(sql), 0, sql.slice(0, 40));
    assert.equal(widthOf(sql), 2, sql.slice(0, 40));
    // AlaSQL's lexer reads them the same way: one quoted item, then the literal 2.
    const ast = alasql.parse(sql) as unknown as { statements: Array<{ columns: unknown[] }> };
    assert.equal(ast.statements[0]!.columns.length, 2, sql.slice(0, 40));
  }
  const commented = `SELECT a, b -- ${deep}${commas}\nFROM d.t`;
  assert.equal(depthOf(commented), 0);
  assert.equal(widthOf(commented), 2);
  // A comment ends at the line's end: what follows counts again.
  assert.equal(depthOf(`SELECT a -- (((\n, (((1))) FROM d.t`), 3);
  // A string ends at its quote: what follows counts again.
  assert.equal(depthOf(`SELECT '(((' || ((('x'))) FROM d.t`), 3);
});

test("a bracket that opens an array, or holds a quote, is not a quoted name: its parentheses count", () => {
  assert.equal(depthOf("SELECT @[((1)), 2] FROM d.t"), 2);
  assert.equal(depthOf("SELECT ARRAY[((1)), 2] FROM d.t"), 2);
  assert.equal(depthOf("SELECT a FROM d.t WHERE b = [x ' ((( ]"), 0); // the quote starts a string that never ends
  // `[((( '` holds a quote: the bracket is a plain character, its three parentheses count, and the
  // quote opens a string that runs to the end.
  assert.equal(depthOf("SELECT [((( ' ] FROM d.t WHERE ((((1))))"), 3);
});

test("the select-list limit counts top-level commas of each select list, plus one", () => {
  const list = (n: number) => `SELECT ${Array.from({ length: n }, (_, i) => `c${i}`).join(", ")} FROM d.t`;
  assert.equal(widthOf(list(1)), 1);
  assert.equal(widthOf(list(37)), 37);
  assert.equal(refusal(list(1000), { sqlColumns: 1000 }), undefined);
  assert.equal(refusal(list(1001), { sqlColumns: 1000 }), widthMessage(1000));
  // Commas in function arguments, IN lists, GROUP BY and ORDER BY are not select-list commas.
  assert.equal(widthOf("SELECT CONCAT(a, b, c, d), e FROM d.t WHERE x IN (1, 2, 3) GROUP BY a, b, c ORDER BY a, b, c, d, e"), 2);
  assert.equal(widthOf("select distinct a, b from d.t order by a, b, c, d"), 2);
  // A select list ends at its clause word or its closing parenthesis; each one is counted alone.
  assert.equal(widthOf("SELECT a, (SELECT b, c, d FROM d.u), e FROM d.t"), 3);
  assert.equal(widthOf("SELECT a FROM d.t WHERE b IN (SELECT c, d, e, f FROM d.u)"), 4);
  assert.equal(widthOf("SELECT a, b INTO d.x FROM d.t"), 2);
  // INSERT column and value lists are not select lists.
  assert.equal(widthOf("INSERT INTO d.t (a, b, c, d) VALUES (1, 2, 3, 4), (5, 6, 7, 8)"), 1);
  // Words that merely contain a clause word do not end the list.
  assert.equal(widthOf("SELECT fromage, wherever, orders FROM d.t"), 3);
});

test("statements no longer than both limits are not scanned: they cannot exceed either", () => {
  assert.equal(refusal("SELECT ((((1))))", { sqlDepth: 16, sqlColumns: 16 }), undefined);
  assert.equal(refusal("SELECT ((((1))))", { sqlDepth: 3, sqlColumns: 16 }), depthMessage(3));
});

test("the scan is linear on inputs that defeat naive quote searches", () => {
  const limit = defaultSqlLimits.sqlLength;
  for (const sql of [
    `SELECT ${"[".repeat(limit - 10)}`,
    `SELECT ${"`".repeat(limit - 10)}`,
    `SELECT ${"[ '".repeat((limit - 10) / 3)}`,
    `SELECT '${"\\".repeat(limit - 10)}`,
    `SELECT ${"-- x\n".repeat((limit - 10) / 5)}`,
    `SELECT ${"a, ".repeat(999)}${"fromage ".repeat((limit - 4000) / 8)}`,
  ]) {
    const started = performance.now();
    refusal(sql, defaultSqlLimits);
    assert.ok(performance.now() - started < 250, `${sql.slice(0, 12)}: ${performance.now() - started} ms`);
  }
});

test("ordinary statements of every kind pass the default limits and parse", () => {
  for (const sql of [
    "SELECT * FROM dev.dog WHERE id = 1",
    "SELECT d.id, b.name FROM dev.dog AS d LEFT JOIN dev.breed AS b ON d.breed_id = b.id WHERE d.age BETWEEN 3 AND 8 ORDER BY d.id",
    "SELECT breed_id, COUNT(*) AS c, AVG(age) FROM dev.dog GROUP BY breed_id HAVING COUNT(*) > 1 ORDER BY 2 DESC LIMIT 3",
    "SELECT CASE WHEN age > 5 THEN 'old' ELSE 'young' END AS a, UPPER(CONCAT(dog_name, ' (', owner_name, ')')) FROM dev.dog",
    "INSERT INTO dev.dog (id, dog_name) VALUES (100, 'a(b'), (101, 'c,d')",
    "UPDATE dev.dog SET age = (age + 1) * 2 WHERE id IN (1, 2, 3)",
  ]) {
    assert.equal(refusal(sql, defaultSqlLimits), undefined, sql);
    assert.doesNotThrow(() => parseStatement(sql), sql);
  }
});
