import { test } from "node:test";
import assert from "node:assert/strict";
import { matches, matchesWhere } from "../src/storage/query/index.js";
import type { Comparator } from "../src/storage/query/index.js";

/** Which of these values a condition on `v` matches (the `missing` record has no `v`). */
const values: Record<string, unknown> = {
  missing: undefined,
  null: null,
  false: false,
  true: true,
  zero: 0,
  n25: 25,
  n28: 28,
  n100_5: 100.5,
  s25: "25",
  s40: "40",
  empty: "",
  Alice: "Alice",
  alice: "alice",
  arr: [1, 30],
  emptyArr: [],
  obj: { v: 1 },
};
function found(comparator: Comparator, value: unknown): string[] {
  return Object.keys(values).filter((name) =>
    matches({ attribute: "v", comparator, value }, values[name] === undefined ? {} : { v: values[name] }),
  );
}

test("equals is type-exact and finds explicit nulls only", () => {
  assert.deepEqual(found("equals", 25), ["n25"]);
  assert.deepEqual(found("equals", "25"), ["s25"]);
  assert.deepEqual(found("equals", null), ["null"]);
  assert.deepEqual(found("equals", false), ["false"]);
  assert.deepEqual(found("equals", 30), ["arr"]);
  assert.deepEqual(found("equals", ""), ["empty"]);
  assert.deepEqual(found("equals", { v: 1 }), []);
});

test("not_equal, less_than and less_than_equal only see values from true upwards", () => {
  assert.deepEqual(found("not_equal", 25), ["true", "zero", "n28", "n100_5", "s25", "s40", "empty", "Alice", "alice", "arr"]);
  assert.deepEqual(found("not_equal", null), ["true", "zero", "n25", "n28", "n100_5", "s25", "s40", "empty", "Alice", "alice", "arr"]);
  assert.deepEqual(found("less_than", 28), ["true", "zero", "n25", "arr"]);
  assert.deepEqual(found("less_than_equal", 28), ["true", "zero", "n25", "n28", "arr"]);
  assert.deepEqual(found("less_than", true), []);
  assert.deepEqual(found("less_than_equal", true), ["true"]);
});

test("greater_than follows the type order, so numbers find strings", () => {
  assert.deepEqual(found("greater_than", 28), ["n100_5", "s25", "s40", "empty", "Alice", "alice", "arr"]);
  assert.deepEqual(found("greater_than", "28"), ["s40", "Alice", "alice"]);
  assert.deepEqual(found("greater_than_equal", 28), ["n28", "n100_5", "s25", "s40", "empty", "Alice", "alice", "arr"]);
  assert.deepEqual(found("greater_than", null), ["false", "true", "zero", "n25", "n28", "n100_5", "s25", "s40", "empty", "Alice", "alice", "arr"]);
  assert.deepEqual(found("greater_than_equal", null), ["null", ...found("greater_than", null)]);
});

test("between is inclusive; reversed bounds match nothing, one bound is open-ended, a scalar matches every value", () => {
  assert.deepEqual(found("between", [25, 28]), ["n25", "n28"]);
  assert.deepEqual(found("between", [28, 25]), []);
  assert.deepEqual(found("between", [28]), ["n28", "n100_5", "s25", "s40", "empty", "Alice", "alice", "arr"]);
  assert.deepEqual(found("between", ["A", "B"]), ["Alice"]);
  const present = ["null", "false", "true", "zero", "n25", "n28", "n100_5", "s25", "s40", "empty", "Alice", "alice", "arr"];
  assert.deepEqual(found("between", 5), present);
  assert.deepEqual(found("between", []), present);
});

test("starts_with matches strings only, case-sensitively", () => {
  assert.deepEqual(found("starts_with", "Al"), ["Alice"]);
  assert.deepEqual(found("starts_with", "al"), ["alice"]);
  assert.deepEqual(found("starts_with", "2"), ["s25"]);
  assert.deepEqual(found("starts_with", 2), ["s25"]);
  assert.deepEqual(found("starts_with", ""), ["s25", "s40", "empty", "Alice", "alice"]);
  assert.deepEqual(found("starts_with", null), []);
});

test("ends_with and contains read the text of strings, numbers and booleans", () => {
  assert.deepEqual(found("ends_with", "5"), ["n25", "n100_5", "s25"]);
  assert.deepEqual(found("ends_with", "ce"), ["Alice", "alice"]);
  assert.deepEqual(found("contains", 0), ["zero", "n100_5", "s40", "arr"]);
  assert.deepEqual(found("contains", "li"), ["Alice", "alice"]);
  assert.deepEqual(found("contains", "LI"), []);
  assert.deepEqual(found("contains", "ru"), ["true"]);
  assert.deepEqual(found("contains", "ul"), []);
  assert.deepEqual(found("contains", "bj"), []);
  assert.deepEqual(found("ends_with", null), []);
  assert.deepEqual(matches({ attribute: "d", comparator: "contains", value: "1970" }, { d: new Date(0) }), true);
});

test("an array value matches when any element matches", () => {
  const record = { tags: ["a", "b"], nums: [1, 2] };
  assert.equal(matches({ attribute: "tags", comparator: "equals", value: "b" }, record), true);
  assert.equal(matches({ attribute: "tags", comparator: "equals", value: ["a", "b"] }, record), false);
  assert.equal(matches({ attribute: "nums", comparator: "greater_than", value: 1 }, record), true);
  assert.equal(matches({ attribute: "nums", comparator: "not_equal", value: 1 }, record), true);
  assert.equal(matches({ attribute: "nums", comparator: "between", value: [3, 9] }, record), false);
});

test("groups combine with and/or, nested to any depth", () => {
  const record = { a: 1, b: "x" };
  const a1 = { attribute: "a", comparator: "equals" as const, value: 1 };
  const b2 = { attribute: "b", comparator: "equals" as const, value: "y" };
  assert.equal(matchesWhere({ operator: "and", conditions: [a1, b2] }, record), false);
  assert.equal(matchesWhere({ operator: "or", conditions: [a1, b2] }, record), true);
  assert.equal(matchesWhere({ operator: "and", conditions: [a1, { operator: "or", conditions: [b2, a1] }] }, record), true);
  assert.equal(matchesWhere({ operator: "and", conditions: [] }, record), true);
  assert.equal(matchesWhere({ operator: "or", conditions: [] }, record), false);
});
