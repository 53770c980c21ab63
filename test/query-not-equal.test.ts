import { test } from "node:test";
import assert from "node:assert/strict";
import { createMemoryIndexSource, markHarperFilters, matches, runQuery } from "../src/storage/query/index.js";
import type { ConditionGroup, Query, SortLevel } from "../src/storage/query/index.js";
import type { StorageRecord } from "../src/storage/types.js";
import { and, ids, or, where } from "./query-builders.js";

// The table these answers were recorded on, against HarperDB 4.7.29 (search_by_conditions on a
// dynamic table `hedge.ne` holding exactly these records, every attribute indexed). `n` is set to
// another value, to null, left out, typed differently, an array, false and true.
const records: StorageRecord[] = [
  { id: 1, n: 5, s: "a", k: 1 },
  { id: 2, n: 6, s: "b", k: 1 },
  { id: 3, n: null, s: null, k: 1 },
  { id: 4, k: 2 },
  { id: 5, n: "5", s: 5, k: 2 },
  { id: 6, n: [5], s: "A", k: 2 },
  { id: 7, n: false, s: false, k: 3 },
  { id: 8, n: true, s: true, k: 3 },
  { id: 9, n: [5, 6], s: ["a", "b"], k: 3 },
];
const source = () => createMemoryIndexSource(records, { primaryKey: "id", indexed: ["n", "s", "k"] });

/** What search_by_conditions asks of the engine: Harper's plan decides what not_equal means. */
const search = (where: ConditionGroup, sort?: SortLevel[]) => {
  const query: Query = { where, harperPlan: true };
  if (sort) query.sort = sort;
  return ids(runQuery(source(), query));
};
const ne = (attribute: string, value: unknown) => where(attribute, "not_equal", value);
const eq = (attribute: string, value: unknown) => where(attribute, "equals", value);

test("not_equal alone walks its index: records with the attribute missing, null or false are left out", () => {
  // Harper: [8,2,9,5] (9 twice: it yields a record once per matching array element).
  assert.deepEqual(search(and(ne("n", 5))), [8, 2, 9, 5]);
  assert.deepEqual(search(and(ne("s", "a"))), [8, 5, 6, 2, 9]);
});

test("not_equal beside a condition Harper walks instead tests the record: missing and null values match", () => {
  assert.deepEqual(search(and(ne("n", 5), eq("k", 2))), [4, 5]);
  assert.deepEqual(search(and(eq("k", 1), ne("n", 6))), [1, 3]);
  assert.deepEqual(search(and(ne("s", "x"), eq("k", 1))), [1, 2, 3]);
  // `not_equal null` tested on the record: a missing value differs from null.
  assert.deepEqual(search(and(ne("n", null), eq("k", 2))), [4, 5, 6]);
  // The whole value is compared: [5, 6] equals [5, 6], false differs.
  assert.deepEqual(search(and(ne("n", [5, 6]), eq("k", 3))), [7, 8]);
});

test("in an or, every not_equal walks its index", () => {
  assert.deepEqual(search(or(ne("n", 5), eq("k", 1))), [8, 2, 9, 5, 1, 3]);
});

test("of two not_equal in an and the first walks its index and the second tests the record", () => {
  assert.deepEqual(search(and(ne("n", 5), ne("s", "b"))), [8, 9, 5]);
});

test("a group Harper tests on the record tests its not_equal on the record; a walked group walks it", () => {
  assert.deepEqual(search(and(or(ne("n", 5), eq("k", 1)), where("id", "greater_than", 1))), [2, 3, 4, 5, 7, 8, 9]);
  assert.deepEqual(search(and(or(ne("n", 5), eq("k", 2)), ne("s", "zz"))), [8, 2, 9, 5, 4, 6]);
  assert.deepEqual(search(and(and(ne("n", 5), eq("k", 2)), ne("s", "zz"))), [4, 5]);
});

test("a sort on another indexed attribute is walked instead, so not_equal tests the record", () => {
  assert.deepEqual(search(and(ne("n", 5)), [{ attribute: "k", descending: false }]), [2, 3, 4, 5, 7, 8, 9]);
  // The primary key has no index Harper can walk for the sort: not_equal keeps its index.
  assert.deepEqual(search(and(ne("n", 5)), [{ attribute: "id", descending: false }]), [2, 5, 8, 9]);
});

test("without harperPlan every not_equal keeps its index-walk meaning, and the marks are on a copy", () => {
  const query = and(ne("n", 5), eq("k", 2));
  assert.deepEqual(ids(runQuery(source(), { where: query })), [5]);
  const marked = markHarperFilters(query, undefined, source());
  assert.equal(marked.conditions[0] && "wholeValue" in marked.conditions[0] && marked.conditions[0].wholeValue, true);
  assert.equal("wholeValue" in (query.conditions[0] as object), false);
  assert.equal(matches({ ...ne("n", 5), wholeValue: true }, { id: 4 }), true);
  assert.equal(matches(ne("n", 5), { id: 4 }), false);
});
