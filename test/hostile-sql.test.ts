import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type { RunningServer } from "../src/main.js";
import { maxQueuedParses, parseWithin } from "../src/sql/bounded-parse.js";
import { defaultSqlLimits } from "../src/sql/limits.js";
import { isSqlError } from "../src/sql/sql-error.js";
import { basic, startTestServer, stopTestServer } from "./server-fixture.js";

// Hostile SQL (issue 13): statements that kept the one thread busy for minutes inside the parser,
// answered 500, or grew the server until it died. Each now answers 400 with a message naming the
// limit (operationsApi.limits: sqlLength, sqlDepth, sqlColumns, sqlParseMs, and the fixed
// expression depth), quickly; the server answers a probe in under a second meanwhile and after,
// and nothing was written.

let root: string;
let server: RunningServer;
let small: { server: RunningServer; root: string };

type Answer = { status: number; body: unknown; ms: number };

async function postTo(target: RunningServer, body: unknown): Promise<Answer> {
  const started = performance.now();
  const res = await fetch(`http://127.0.0.1:${target.port}/`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: basic("admin", "password") },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) as unknown, ms: performance.now() - started };
}

const sql = (statement: string, target = server) => postTo(target, { operation: "sql", sql: statement });

const rows = [
  { id: 1, a: 5, name: "keep" },
  { id: 2, a: 10, name: "also" },
];

async function seed(target: RunningServer): Promise<void> {
  assert.equal((await postTo(target, { operation: "create_table", database: "h", table: "t", primary_key: "id" })).status, 200);
  assert.equal((await postTo(target, { operation: "insert", database: "h", table: "t", records: rows })).status, 200);
}

before(async () => {
  ({ server, root } = await startTestServer());
  await seed(server);
  small = await startTestServer({
    OPERATIONSAPI_LIMITS_SQLLENGTH: "50000",
    OPERATIONSAPI_LIMITS_SQLDEPTH: "5",
    OPERATIONSAPI_LIMITS_SQLCOLUMNS: "3",
    OPERATIONSAPI_LIMITS_SQLPARSEMS: "300",
  });
  await seed(small.server);
});
after(async () => {
  await stopTestServer(server, root);
  await stopTestServer(small.server, small.root);
});

/** A probe answers quickly and exactly, and h.t holds only its two records, unchanged. */
async function assertHealthy(target: RunningServer, what: string): Promise<void> {
  const probe = await sql("SELECT id, a, name FROM h.t ORDER BY id", target);
  assert.deepEqual(probe.body, rows, `${what}: the data changed`);
  assert.equal(probe.status, 200, what);
  assert.ok(probe.ms < 1000, `${what}: the probe took ${probe.ms} ms`);
}

/** Sends `statement`, expects 400 with exactly `message` within `withinMs`, then checks health. */
async function assertRefused(statement: string, message: string, withinMs: number, target = server): Promise<void> {
  const what = `${statement.slice(0, 40)}... (${statement.length} characters)`;
  const answer = await sql(statement, target);
  assert.deepEqual({ status: answer.status, body: answer.body }, { status: 400, body: { error: message } }, what);
  assert.ok(answer.ms < withinMs, `${what}: answered after ${answer.ms} ms`);
  await assertHealthy(target, what);
}

const terms = (n: number, term: (i: number) => string, separator: string) => Array.from({ length: n }, (_, i) => term(i)).join(separator);
const length = (n: number, limit: number) => `The SQL statement is ${n} characters long, more than the limit of ${limit} (operationsApi.limits.sqlLength)`;
const depth = (limit: number) => `The SQL statement nests parentheses more than ${limit} deep, the limit (operationsApi.limits.sqlDepth)`;
const columns = (limit: number) => `The SQL select list has more than ${limit} expressions, the limit (operationsApi.limits.sqlColumns)`;
const parseTime = (limit: number) => `The SQL statement took more than ${limit} ms to parse, the limit (operationsApi.limits.sqlParseMs); simplify it`;
const expressionDepth = "An SQL expression nests more than 1000 operators, function calls or CASEs deep, the limit";

test("195 KB of nested arithmetic is refused by the depth limit before the parser sees it", async () => {
  const n = 48_000;
  const statement = `SELECT ${"(".repeat(n)}1${"+1)".repeat(n)} AS x FROM h.t`;
  assert.ok(statement.length > 190_000);
  await assertRefused(statement, depth(100), 1000);
});

test("10,000 nested parentheses are refused by the depth limit", async () => {
  await assertRefused(`SELECT ${"(".repeat(10_000)}1${")".repeat(10_000)} FROM h.t`, depth(100), 1000);
  // 100 is within the limit and runs.
  const answer = await sql(`SELECT ${"(".repeat(100)}a${")".repeat(100)} AS x FROM h.t ORDER BY id`);
  assert.deepEqual({ status: answer.status, body: answer.body }, { status: 200, body: [{ x: 5 }, { x: 10 }] });
});

test("a select list of 5,000 expressions is refused by the column limit", async () => {
  await assertRefused(`SELECT ${terms(5000, (i) => `a + ${i}`, ", ")} FROM h.t`, columns(1000), 1000);
  const answer = await sql(`SELECT ${terms(1000, () => "a", ", ")} FROM h.t ORDER BY id`);
  assert.equal(answer.status, 200);
});

test("1 MB of OR or AND terms is refused by the length limit", async () => {
  for (const op of [" OR ", " AND "]) {
    const statement = `SELECT * FROM h.t WHERE ${terms(90_000, (i) => `a = ${i}`, op)}`;
    assert.ok(statement.length > 1_000_000);
    await assertRefused(statement, length(statement.length, 262_144), 1000);
  }
});

test("5,000 OR terms (60 KB, parsed on the parse thread) answer the right rows, as do 5,000 AND terms", async () => {
  const or = await sql(`SELECT id FROM h.t WHERE ${terms(5000, (i) => `a = ${i}`, " OR ")} ORDER BY id`);
  assert.deepEqual({ status: or.status, body: or.body }, { status: 200, body: [{ id: 1 }, { id: 2 }] });
  const and = await sql(`SELECT id FROM h.t WHERE ${terms(5000, (i) => `a <> ${i + 100}`, " AND ")} ORDER BY id`);
  assert.deepEqual({ status: and.status, body: and.body }, { status: 200, body: [{ id: 1 }, { id: 2 }] });
  await assertHealthy(server, "long OR and AND chains");
});

test("a chain of 3,000 additions is refused by the expression depth limit", async () => {
  await assertRefused(`SELECT ${terms(3000, (i) => String(i), " + ")} AS s FROM h.t`, expressionDepth, 2000);
  // Unary minus and NOT nest without parentheses too.
  await assertRefused(`SELECT ${"- ".repeat(1500)}1 AS s FROM h.t`, expressionDepth, 2000);
  const answer = await sql(`SELECT ${terms(900, () => "1", " + ")} AS s FROM h.t ORDER BY id`);
  assert.deepEqual({ status: answer.status, body: answer.body }, { status: 200, body: [{ s: 900 }, { s: 900 }] });
});

test("a statement the parser would chew on for half a minute is stopped at the parse time limit; the server answers meanwhile", async () => {
  // 40 KB of NOT with no parentheses passes the pre-checks; AlaSQL 4.6.6 needs ~25 s for it.
  const statement = `SELECT * FROM h.t WHERE ${"NOT ".repeat(10_000)}a = 1`;
  const slow = sql(statement);
  await new Promise((resolve) => setTimeout(resolve, 200));
  await assertHealthy(server, "while a slow parse runs");
  const answer = await slow;
  assert.deepEqual({ status: answer.status, body: answer.body }, { status: 400, body: { error: parseTime(2000) } });
  assert.ok(answer.ms >= 1900 && answer.ms < 4000, `answered after ${answer.ms} ms`);
  await assertHealthy(server, "after a slow parse");
  // The parse thread was replaced: long statements parse again.
  const again = await sql(`SELECT id FROM h.t WHERE a IN (${terms(2000, (i) => String(i), ", ")}) ORDER BY id`);
  assert.deepEqual({ status: again.status, body: again.body }, { status: 200, body: [{ id: 1 }, { id: 2 }] });
});

test("statements queued behind a slow parse each get their own time budget", async () => {
  const slow = `SELECT * FROM h.t WHERE ${"NOT ".repeat(10_000)}a = 1`;
  const ok = `SELECT id FROM h.t WHERE ${terms(600, (i) => `a = ${i}`, " OR ")} ORDER BY id`;
  const [first, second] = await Promise.all([sql(slow, small.server), sql(ok, small.server)]);
  assert.deepEqual({ status: first.status, body: first.body }, { status: 400, body: { error: parseTime(300) } });
  assert.deepEqual({ status: second.status, body: second.body }, { status: 200, body: [{ id: 1 }, { id: 2 }] });
  await assertHealthy(small.server, "after a queued parse");
});

test("the configured limits are the ones enforced and named", async () => {
  const target = small.server;
  const long = `SELECT '${"x".repeat(50_000)}' FROM h.t`;
  await assertRefused(long, length(long.length, 50_000), 1000, target);
  await assertRefused("SELECT ((((((1)))))) AS x FROM h.t", depth(5), 1000, target);
  await assertRefused("SELECT id, a, name, id FROM h.t", columns(3), 1000, target);
  await assertRefused(`SELECT ${"CASE WHEN a = 1 THEN ".repeat(1800)}1${" END".repeat(1800)} FROM h.t`, parseTime(300), 1500, target);
  // Within the limits: runs.
  const answer = await sql("SELECT (((((a))))) AS x, id FROM h.t ORDER BY id", target);
  assert.deepEqual({ status: answer.status, body: answer.body }, { status: 200, body: [{ x: 5, id: 1 }, { x: 10, id: 2 }] });
});

test("long writes are parsed on the parse thread and write what they say", async () => {
  assert.equal((await postTo(server, { operation: "create_table", database: "h", table: "w", primary_key: "id" })).status, 200);
  const text = "y".repeat(6000);
  const insert = await sql(`INSERT INTO h.w (id, s) VALUES (1, '${text}')`);
  assert.deepEqual({ status: insert.status, body: insert.body }, { status: 200, body: { message: "inserted 1 of 1 records", inserted_hashes: [1], skipped_hashes: [] } });
  const read = await sql("SELECT s FROM h.w WHERE id = 1");
  assert.deepEqual(read.body, [{ s: text }]);
  await assertHealthy(server, "long insert");
});

test("a primary key of 1e400 (Infinity) or 400 digits is refused in SQL as in NoSQL", async () => {
  await assertRefused("INSERT INTO h.t (id, a) VALUES (1e400, 1)", "Invalid primary key: Infinity", 1000);
  await assertRefused(`INSERT INTO h.t (id, a) VALUES (${"9".repeat(400)}, 1)`, "Invalid primary key: Infinity", 1000);
  const read = await sql("SELECT id FROM h.t WHERE id = 1e400");
  assert.deepEqual({ status: read.status, body: read.body }, { status: 200, body: [] });
});

test("more long statements than the parse queue holds are refused at once as busy (429)", async () => {
  // Long enough for the parse thread, quick to parse: one runs, maxQueuedParses wait, the rest are refused.
  const statement = (i: number) => `SELECT id FROM h.t WHERE a IN (${terms(1000, (j) => String(i * 1000 + j), ", ")})`;
  const started = performance.now();
  const results = await Promise.allSettled(Array.from({ length: maxQueuedParses + 8 }, (_, i) => parseWithin(statement(i), defaultSqlLimits)));
  const refused = results.filter((r) => r.status === "rejected").map((r) => (r as PromiseRejectedResult).reason as unknown);
  assert.equal(results.filter((r) => r.status === "fulfilled").length, maxQueuedParses + 1);
  assert.equal(refused.length, 7);
  for (const error of refused) {
    assert.ok(isSqlError(error) && error.kind === "busy", String(error));
    assert.equal(error.message, `${maxQueuedParses} long SQL statements are waiting to be parsed, the limit; try again shortly`);
  }
  assert.ok(performance.now() - started < 10_000);
});
