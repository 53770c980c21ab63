import { test } from "node:test";
import assert from "node:assert/strict";
import { createMemoryIndexSource, isQueryError, planQuery, runQuery } from "../src/storage/query/index.js";
import type { Condition, Query, WhereNode } from "../src/storage/query/index.js";
import { and, ids, or, where } from "./query-builders.js";


/** 10 000 records: `group` is i % 10 (indexed), `plain` is i % 7 (not indexed), `tags` an array. */
function bigTable() {
  const records = Array.from({ length: 10_000 }, (_, i) => ({ id: i, group: i % 10, plain: i % 7, tags: [i % 3, i % 5] }));
  return createMemoryIndexSource(records, { primaryKey: "id", indexed: ["group", "tags"] });
}

test("without sort, offset and limit stop the reads once the page is full", () => {
  const cases: Array<{ query: Query; expected: number[]; maxRecords: number; maxEntries: number }> = [
    { query: { offset: 3, limit: 5 }, expected: [3, 4, 5, 6, 7], maxRecords: 8, maxEntries: 0 },
    { query: { reverse: true, limit: 2 }, expected: [9999, 9998], maxRecords: 2, maxEntries: 0 },
    { query: { where: and(where("group", "equals", 4)), limit: 3 }, expected: [4, 14, 24], maxRecords: 3, maxEntries: 3 },
    { query: { where: and(where("group", "greater_than", 2)), offset: 1, limit: 2 }, expected: [13, 23], maxRecords: 3, maxEntries: 3 },
    { query: { where: and(where("plain", "equals", 3)), limit: 2 }, expected: [3, 10], maxRecords: 11, maxEntries: 0 },
    {
      query: { where: and(where("group", "equals", 1), where("plain", "equals", 1)), limit: 2 },
      expected: [1, 71],
      maxRecords: 8,
      maxEntries: 8,
    },
    {
      query: { where: or(where("group", "equals", 9), where("plain", "equals", 0)), limit: 2 },
      expected: [9, 19],
      maxRecords: 2,
      maxEntries: 2,
    },
    // Record 0 has tags [0, 0]: two index entries, one record read.
    { query: { where: and(where("tags", "equals", 0)), limit: 4 }, expected: [0, 3, 5, 6], maxRecords: 4, maxEntries: 5 },
    { query: { sort: [{ attribute: "id", descending: true }], limit: 2 }, expected: [9999, 9998], maxRecords: 2, maxEntries: 0 },
    { query: { where: and(where("id", "less_than", 20), where("plain", "equals", 2)) }, expected: [2, 9, 16], maxRecords: 21, maxEntries: 0 },
    { query: { where: and(where("id", "equals", 1234)) }, expected: [1234], maxRecords: 1, maxEntries: 0 },
  ];
  for (const { query, expected, maxRecords, maxEntries } of cases) {
    const source = bigTable();
    const result = runQuery(source, query);
    assert.equal(source.recordsRead + source.entriesRead, 0, "nothing is read before the result is iterated");
    assert.deepEqual(ids(result), expected, JSON.stringify(query));
    assert.ok(source.recordsRead <= maxRecords, `${JSON.stringify(query)} read ${source.recordsRead} records`);
    assert.ok(source.entriesRead <= maxEntries, `${JSON.stringify(query)} read ${source.entriesRead} index entries`);
  }
});

test("a sort other than by primary key over a scan reads every match, then pages", () => {
  const source = bigTable();
  const query: Query = { where: and(where("group", "equals", 3)), sort: [{ attribute: "id", descending: true }], limit: 2 };
  assert.deepEqual(ids(runQuery(source, query)), [9993, 9983]);
  assert.equal(source.recordsRead, 1000);
});

test("the condition that reads the fewest index entries drives an and, the others filter", () => {
  const source = bigTable();
  const plan = planQuery(source, and(where("group", "less_than", 8), where("tags", "equals", 4), where("plain", "equals", 1)));
  assert.equal(plan.kind, "index");
  assert.equal(plan.kind === "index" && plan.condition.attribute, "tags");
  assert.equal(plan.cost, 2000);
  assert.equal(plan.filter.length, 2);
  // Result order follows the driving index: tags value 4, then primary key.
  const query: Query = { where: and(where("plain", "equals", 1), where("tags", "equals", 4)), limit: 3 };
  assert.deepEqual(ids(runQuery(source, query)), [29, 64, 99]);
});

test("an or group whose members all use indexes can drive its and-parent; a scan is the last resort", () => {
  const source = bigTable();
  const driven = planQuery(source, and(where("group", "greater_than", 0), or(where("group", "equals", 1), where("group", "equals", 2))));
  assert.equal(driven.kind, "union");
  assert.equal(driven.cost, 2000);
  const scanned = planQuery(source, and(where("plain", "equals", 1), or(where("group", "equals", 1), where("plain", "equals", 2))));
  assert.equal(scanned.kind, "scan");
  const nothing = planQuery(source, and(where("plain", "equals", 1), where("group", "between", [5, 1])));
  assert.equal(nothing.kind, "empty");
  assert.equal(planQuery(source, undefined).kind, "scan");
});

test("a record whose array value matches through several elements comes once, at its first match", () => {
  const records = [
    { id: 1, tags: [5, 1] },
    { id: 2, tags: [3] },
    { id: 3, tags: [2, 4, 6] },
    { id: 4, tags: [] },
    { id: 5, tags: 0 },
  ];
  const source = createMemoryIndexSource(records, { primaryKey: "id", indexed: ["tags"] });
  const run = (query: Query) => ids(runQuery(source, query));
  assert.deepEqual(run({ where: and(where("tags", "greater_than", 0)) }), [1, 3, 2]);
  assert.deepEqual(run({ where: and(where("tags", "greater_than", 0)), reverse: true }), [3, 1, 2]);
  // 0 is at least `true`, so less_than 3 finds it (null or false would not be).
  assert.deepEqual(run({ where: or(where("tags", "equals", 4), where("tags", "less_than", 3)) }), [3, 5, 1]);
  assert.deepEqual(run({ where: and(where("tags", "greater_than", 0)), sort: [{ attribute: "tags", descending: false }] }), [3, 2, 1]);
});

test("a bad query is refused when runQuery is called, with a clear message", () => {
  const source = bigTable();
  const refused = (query: unknown, message: string) =>
    assert.throws(
      () => runQuery(source, query as Query),
      (error: unknown) => isQueryError(error) && error.message === message,
      message,
    );
  refused({ where: and(where("group", "eq" as Condition["comparator"], 1)) }, 'Unknown query comparator "eq"');
  refused({ where: and({ attribute: "age", comparator: "equals" } as Condition) }, "Search condition for age must have a value");
  refused({ where: and({ comparator: "equals", value: 1 } as unknown as Condition) }, "a search condition requires an attribute");
  refused({ where: { operator: "xor", conditions: [] } }, "'operator' must be one of [and, or]");
  refused({ where: { operator: "and", conditions: {} } }, "'conditions' must be an array");
  refused({ sort: [{ descending: true }] }, "Sort requires an attribute");
  refused({ offset: -1 }, "'offset' must be greater than or equal to 0");
  refused({ limit: 2.5 }, "'limit' must be an integer");
  let deep: WhereNode = where("group", "equals", 1);
  for (let i = 0; i < 200; i++) deep = and(deep);
  refused({ where: deep }, "conditions cannot be nested more than 100 levels deep");
  assert.equal(source.recordsRead, 0);
});

test("empty groups: an empty and selects everything, an empty or nothing; limit 0 returns nothing", () => {
  const records = [{ id: 2 }, { id: 1 }, { id: "x" }];
  const source = createMemoryIndexSource(records, { primaryKey: "id", indexed: [] });
  assert.deepEqual(ids(runQuery(source, { where: and() })), [1, 2, "x"]);
  assert.deepEqual(ids(runQuery(source, { where: or() })), []);
  assert.deepEqual(ids(runQuery(source, { limit: 0 })), []);
  assert.deepEqual(ids(runQuery(source, { where: and(where("id", "equals", "x")) })), ["x"]);
  assert.deepEqual(ids(runQuery(source, { where: and(where("id", "equals", "1")) })), []);
});

test("a result can be iterated again and reads the table afresh", () => {
  const source = bigTable();
  const result = runQuery(source, { where: and(where("group", "equals", 7)), limit: 2 });
  assert.deepEqual(ids(result), [7, 17]);
  assert.deepEqual(ids(result), [7, 17]);
  assert.equal(source.recordsRead, 4);
});
