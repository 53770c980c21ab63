import { test } from "node:test";
import assert from "node:assert/strict";
import { comparators, compareValues, conditionRange, matchesValue } from "../src/storage/query/index.js";
import type { Comparator, Condition, IndexRange } from "../src/storage/query/index.js";

const values: readonly unknown[] = [
  null, true, false, 0, 1, 2, 5, 10, 25, -1, -3.5, 2.5, 100.5, "5", "10", "25", "-1", "", "a", "b", "B", "ab",
  "Ab", "apple", "Apple", "zed", "10a", "é", "😀", "\uE000x", "a😀", "a\u{10ffff}", "0", "e", "x",
  [1, 2], [5], [], ["a", 1], { nested: 1 }, new Date(5),
];

function isPlainObject(value: unknown): boolean {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** Whether a value lies in a range, written out independently of the memory source. */
function inRange(value: unknown, range: IndexRange): boolean {
  if (range.start !== undefined) {
    const order = compareValues(value, range.start);
    if (order < 0 || (order === 0 && range.startInclusive !== true)) return false;
  }
  if (range.end !== undefined) {
    const order = compareValues(value, range.end);
    if (order > 0 || (order === 0 && range.endInclusive !== true)) return false;
  }
  return true;
}

test("the index range of a condition holds every element it matches, and only those for range comparators", () => {
  const exact = new Set<Comparator>([
    "equals",
    "greater_than",
    "greater_than_equal",
    "less_than",
    "less_than_equal",
    "starts_with",
  ]);
  for (const comparator of comparators) {
    const conditionValues = comparator === "between" ? [[0, 10], [10, 0], ["a", "b"], [null, true], [5], 5, []] : values;
    for (const value of conditionValues) {
      const condition: Condition = { attribute: "a", comparator, value };
      const range = conditionRange(condition);
      for (const element of values) {
        const matched = matchesValue(condition, element);
        if (range === null) {
          assert.equal(matched, false, `${JSON.stringify(condition)} has no range but matches ${JSON.stringify(element)}`);
          continue;
        }
        if (matched) assert.ok(inRange(element, range), `${JSON.stringify(condition)} matches ${JSON.stringify(element)} outside its range`);
        const tight = exact.has(comparator) || (comparator === "between" && Array.isArray(value) && value.length > 0);
        // Plain objects are never indexed; a nested array is never a string for starts_with.
        const comparable = !isPlainObject(element) && !(Array.isArray(element) && comparator === "starts_with");
        if (tight && comparable && inRange(element, range)) {
          assert.ok(matched, `${JSON.stringify(condition)}: ${JSON.stringify(element)} is in the range but does not match`);
        }
      }
    }
  }
});
