import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { isDeepStrictEqual } from "node:util";
import type { RunningServer } from "../src/main.js";
import { basic, startTestServer, stopTestServer } from "./server-fixture.js";
import { generateData, generateSelects } from "./sql-generator.js";
import type { Dataset, GeneratedSelect, Row } from "./sql-generator.js";
import { referenceSelect, referenceTable } from "./sql-reference.js";

// Differential test of the `sql` operation: seeded random records go into diff.a and diff.b through
// the NoSQL insert, then a few hundred seeded random SELECTs run through the server and through
// AlaSQL 4.6.6 (what HarperDB 4.7 runs underneath) over the same records, shaped as Harper shapes
// them (test/sql-reference.ts). What the statements cover and keep out: test/sql-generator.ts.
// SQL_DIFF_SEED=<n> runs another seed.

const SEED = Number(process.env.SQL_DIFF_SEED ?? 4_729);
const SINGLE_COUNT = 240;
const JOIN_COUNT = 110;

let root: string;
let server: RunningServer;
let data: Dataset;
let tables: Record<string, Row[]>;

async function post(body: unknown): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`http://127.0.0.1:${server.port}/`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: basic("admin", "password") },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // keep the text
  }
  return { status: response.status, body: parsed };
}

async function ok(body: Record<string, unknown>): Promise<unknown> {
  const response = await post(body);
  assert.equal(response.status, 200, `${String(body.operation)}: ${JSON.stringify(response.body)}`);
  return response.body;
}

before(async () => {
  ({ server, root } = await startTestServer());
  data = generateData(SEED);
  await ok({ operation: "create_database", database: "diff" });
  tables = {};
  for (const table of ["a", "b"] as const) {
    await ok({ operation: "create_table", database: "diff", table, primary_key: "id" });
    await ok({ operation: "insert", database: "diff", table, records: data[table] });
    // read back: the records must be stored as generated; their timestamps go into the reference
    const stored = (await ok({ operation: "search_by_value", database: "diff", table, attribute: "id", value: "*", get_attributes: ["*"] })) as Row[];
    assert.equal(stored.length, data[table].length, `diff.${table}: all records stored`);
    const byId = new Map(stored.map((row) => [row.id, row]));
    const records = data[table].map((record) => {
      const row = byId.get(record.id);
      assert.ok(row, `diff.${table} ${String(record.id)} stored`);
      for (const [key, value] of Object.entries(record)) assert.deepEqual(row[key], value, `diff.${table} ${String(record.id)}.${key}`);
      assert.equal(typeof row.__createdtime__, "number");
      return { ...record, __createdtime__: row.__createdtime__, __updatedtime__: row.__updatedtime__ };
    });
    tables[table] = referenceTable(records, ["id", "__createdtime__", "__updatedtime__"]);
  }
});

after(async () => {
  await stopTestServer(server, root);
});

const isRow = (value: unknown): value is Row => typeof value === "object" && value !== null && !Array.isArray(value);

/** Same number, or both SUM/AVG values within a tiny relative tolerance. */
function close(x: unknown, y: unknown): boolean {
  if (typeof x !== "number" || typeof y !== "number") return isDeepStrictEqual(x, y);
  return x === y || Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(x), Math.abs(y));
}

/**
 * A row's text for sorting a multiset: keys sorted for `*`, SUM/AVG values left out (they may
 * differ in the last bits; such rows are told apart by their GROUP BY columns, always selected).
 */
function sortKey(row: Row, statement: GeneratedSelect): string {
  const keys = statement.star ? Object.keys(row).sort() : Object.keys(row);
  return JSON.stringify(keys.map((key) => [key, statement.approx.includes(key) ? typeof row[key] : row[key]]));
}

/** Why `ours` differs from `reference`, or undefined when they agree. */
function difference(statement: GeneratedSelect, ours: Row[], reference: Row[]): string | undefined {
  if (ours.length !== reference.length) return `${ours.length} rows, reference ${reference.length}`;
  const left = statement.ordered ? ours : [...ours].sort((x, y) => (sortKey(x, statement) < sortKey(y, statement) ? -1 : 1));
  const right = statement.ordered ? reference : [...reference].sort((x, y) => (sortKey(x, statement) < sortKey(y, statement) ? -1 : 1));
  for (let i = 0; i < left.length; i++) {
    const x = left[i] as Row;
    const y = right[i] as Row;
    const keysX = statement.star ? Object.keys(x).sort() : Object.keys(x);
    const keysY = statement.star ? Object.keys(y).sort() : Object.keys(y);
    if (!isDeepStrictEqual(keysX, keysY)) return `row ${i}: keys ${JSON.stringify(keysX)}, reference ${JSON.stringify(keysY)}`;
    for (const key of keysX) {
      const same = statement.approx.includes(key) ? close(x[key], y[key]) : isDeepStrictEqual(x[key], y[key]);
      if (!same) return `row ${i}: ${JSON.stringify(x)}, reference ${JSON.stringify(y)}`;
    }
  }
  return undefined;
}

const show = (rows: unknown) => {
  const text = JSON.stringify(rows);
  return text.length > 500 ? `${text.slice(0, 500)}… (${Array.isArray(rows) ? rows.length : "?"} rows)` : text;
};

/** Runs the statements through the server and the reference; fails listing every mismatch. */
async function runAll(statements: GeneratedSelect[]): Promise<void> {
  const mismatches: string[] = [];
  for (const statement of statements) {
    const reference = referenceSelect(statement.sql, tables);
    const response = await post({ operation: "sql", sql: statement.sql });
    let problem: string | undefined;
    if (response.status !== 200) problem = `status ${response.status}`;
    else if (!Array.isArray(response.body) || !response.body.every(isRow)) problem = "not an array of objects";
    else problem = difference(statement, response.body, reference);
    if (problem) {
      mismatches.push(
        `${statement.sql}\n    ${problem} (${statement.ordered ? "ordered" : "multiset"})\n    ours:      ${show(response.body)}\n    reference: ${show(reference)}`,
      );
    }
  }
  if (mismatches.length > 0) {
    const listed = mismatches.slice(0, 20).map((text, i) => `${i + 1}. ${text}`);
    if (mismatches.length > listed.length) listed.push(`… and ${mismatches.length - listed.length} more`);
    assert.fail(`seed ${SEED}: ${mismatches.length} of ${statements.length} statements differ from the alasql reference\n${listed.join("\n")}`);
  }
}

test("sql SELECTs agree with the alasql reference on random data", async () => {
  await runAll(generateSelects(SEED, data, SINGLE_COUNT, "single"));
});

test("sql JOINs agree with the alasql reference on random data", async () => {
  await runAll(generateSelects(SEED + 1, data, JOIN_COUNT, "join"));
});
