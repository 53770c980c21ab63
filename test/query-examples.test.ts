import { test } from "node:test";
import assert from "node:assert/strict";
import { createMemoryIndexSource, runQuery } from "../src/storage/query/index.js";
import type { Query, WhereNode } from "../src/storage/query/index.js";
import type { StorageRecord } from "../src/storage/types.js";
import { and, ids, or, where } from "./query-builders.js";

/** The `emp` table of spec nosql §6–§7 (names of ids 2, 3, 6 and 8 are not in the spec). */
const emp: StorageRecord[] = [
  { id: 1, name: "Alice", dept: "eng", salary: 100.5, age: 30 },
  { id: 2, name: "Bob", dept: "eng", salary: 80, age: 25 },
  { id: 3, name: "Carol", dept: "sales", salary: 90, age: 35 },
  { id: 4, name: "dave", dept: "sales", salary: 70, age: "40" },
  { id: 5, name: "Eve", dept: "hr", salary: 60, age: 25 },
  { id: 6, name: "Frank", dept: "eng", salary: 120, age: null },
  { id: 7, name: "Alicia", dept: "hr", salary: 60, age: 28 },
  { id: 8, name: "Gus", dept: "ENG", salary: 200, age: 45 },
];
const empSource = () => createMemoryIndexSource(emp, { primaryKey: "id", indexed: ["name", "dept", "salary", "age"] });

const run = (query: Query, source = empSource()) => ids(runQuery(source, query));

test("a single condition is ordered by its attribute, ties by primary key (spec §7.5)", () => {
  assert.deepEqual(run({ where: and(where("salary", "greater_than", 0)) }), [5, 7, 4, 2, 3, 1, 6, 8]);
  assert.deepEqual(run({ where: and(where("salary", "greater_than", 0)), reverse: true }), [8, 6, 1, 3, 2, 4, 7, 5]);
});

test("sort levels break ties with the next level and then keep the driving order (spec §7.4)", () => {
  const salaryAboveZero = and(where("salary", "greater_than", 0));
  const sort = [
    { attribute: "dept", descending: false },
    { attribute: "salary", descending: true },
  ];
  assert.deepEqual(run({ where: salaryAboveZero, sort }), [8, 6, 1, 2, 5, 7, 3, 4]);
  assert.deepEqual(run({ where: salaryAboveZero, sort: [{ attribute: "salary", descending: true }], limit: 3, offset: 1 }), [6, 1, 3]);
  assert.deepEqual(run({ where: salaryAboveZero, sort: [{ attribute: "age", descending: false }] }), [6, 5, 2, 7, 1, 3, 8, 4]);
  // Descending puts null last; the residual order of equal ages (5 before 2) is not reversed.
  assert.deepEqual(run({ where: salaryAboveZero, sort: [{ attribute: "age", descending: true }] }), [4, 8, 3, 1, 7, 5, 2, 6]);
});

test("a nested or group filters the records its and-sibling drives (spec §7.5)", () => {
  const query = { where: and(where("dept", "equals", "eng"), or(where("age", "less_than", 30), where("salary", "greater_than", 110))) };
  assert.deepEqual(run(query), [2, 6]);
});

test("search_by_value's examples: prefixes, suffixes, every record, type-exact equality (spec §6)", () => {
  assert.deepEqual(run({ where: and(where("name", "starts_with", "Ali")) }), [1, 7]);
  assert.deepEqual(run({ where: and(where("name", "ends_with", "e")) }), [1, 5, 4]);
  assert.deepEqual(run({ limit: 2, offset: 1 }), [2, 3]);
  assert.deepEqual(run({ reverse: true, limit: 3 }), [8, 7, 6]);
  assert.deepEqual(run({ where: and(where("age", "equals", 25)) }), [2, 5]);
  assert.deepEqual(run({ where: and(where("age", "equals", "25")) }), []);
  assert.deepEqual(run({ where: and(where("salary", "contains", 0)) }), [5, 7, 4, 2, 3, 1, 6, 8]);
  assert.deepEqual(run({ where: and(where("age", "less_than", 30)) }), [2, 5, 7]);
  assert.deepEqual(run({ where: and(where("age", "greater_than", 28)) }), [1, 3, 8, 4]);
});

test("an or yields the first condition's records, then the new records of the next", () => {
  const query = { where: or(where("dept", "equals", "hr"), where("salary", "greater_than", 95)) };
  assert.deepEqual(run(query), [5, 7, 1, 6, 8]);
  assert.deepEqual(run({ ...query, reverse: true }), [7, 5, 8, 6, 1]);
});

/** The `staff` table of the nosql-conditions golden transcript. */
const staff: StorageRecord[] = [
  { id: 101, name: "Alma", dept: "eng", salary: 120000, age: 34, email: "alma@corp.test", manager: null },
  { id: 102, name: "Bruno", dept: "eng", salary: 95000, age: 28, email: "bruno@corp.test", manager: 101 },
  { id: 103, name: "Chen", dept: "ops", salary: 70000, age: 45, email: "chen@ops.test", manager: 101 },
  { id: 104, name: "Dara", dept: "sales", salary: 65000, age: 23, email: "dara@corp.test", manager: 105 },
  { id: 105, name: "Eli", dept: "sales", salary: 88000, age: 51, email: "eli@corp.test" },
  { id: 106, name: "Fay", dept: "ops", salary: 70000, age: 39, email: "fay@ops.test", manager: 103 },
  { id: 107, name: "Gus", dept: "eng", salary: 150000, age: 41, email: "gus@corp.test", manager: 101 },
  { id: 108, name: "Hana", dept: "hr", salary: 60000, age: 30, email: "hana@corp.test", manager: 105 },
];

test("the nosql-conditions transcript's answers come out of the engine", () => {
  const source = createMemoryIndexSource(staff, {
    primaryKey: "id",
    indexed: ["name", "dept", "salary", "age", "email", "manager"],
  });
  const byId = [{ attribute: "id", descending: false }];
  const sorted = (node: WhereNode, extra: Partial<Query> = {}) =>
    run({ where: "operator" in node ? node : and(node), sort: byId, ...extra }, source);
  assert.deepEqual(sorted(where("dept", "equals", "ops")), [103, 106]);
  assert.deepEqual(sorted(where("manager", "not_equal", 101)), [104, 106, 108]);
  assert.deepEqual(sorted(where("salary", "greater_than", 95000)), [101, 107]);
  assert.deepEqual(sorted(where("salary", "greater_than_equal", 95000)), [101, 102, 107]);
  assert.deepEqual(sorted(where("age", "less_than", 30)), [102, 104]);
  assert.deepEqual(sorted(where("age", "less_than_equal", 30)), [102, 104, 108]);
  assert.deepEqual(sorted(where("name", "starts_with", "B")), [102]);
  assert.deepEqual(sorted(where("email", "ends_with", "@ops.test")), [103, 106]);
  assert.deepEqual(sorted(where("name", "contains", "a")), [101, 104, 106, 108]);
  assert.deepEqual(sorted(where("age", "between", [30, 41])), [101, 106, 107, 108]);
  assert.deepEqual(sorted(and(where("dept", "equals", "eng"), where("salary", "less_than", 130000))), [101, 102]);
  assert.deepEqual(sorted(or(where("dept", "equals", "hr"), where("age", "greater_than", 50))), [105, 108]);
  const nested = and(where("dept", "equals", "eng"), or(where("age", "less_than", 30), where("salary", "greater_than_equal", 150000)));
  assert.deepEqual(sorted(nested), [102, 107]);
  const nestedOr = or(where("dept", "equals", "ops"), and(where("dept", "equals", "sales"), where("age", "greater_than", 50)));
  assert.deepEqual(sorted(nestedOr), [103, 105, 106]);
  assert.deepEqual(sorted(where("dept", "equals", "eng"), { limit: 2 }), [101, 102]);
  assert.deepEqual(sorted(where("dept", "equals", "eng"), { offset: 10 }), []);
  assert.deepEqual(sorted(where("id", "equals", 104)), [104]);
  assert.deepEqual(sorted(where("dept", "equals", "legal")), []);
  const salarySort = [
    { attribute: "salary", descending: true },
    { attribute: "name", descending: false },
  ];
  assert.deepEqual(run({ where: and(where("salary", "greater_than", 0)), sort: salarySort }, source), [107, 101, 102, 105, 103, 106, 104, 108]);
  const agePage = { where: and(where("salary", "greater_than", 0)), sort: [{ attribute: "age", descending: false }], offset: 2, limit: 3 };
  assert.deepEqual(run(agePage, source), [108, 101, 106]);
  assert.deepEqual(run({ where: and(where("dept", "equals", "sales")) }, source), [104, 105]);
});
