import { test } from "node:test";
import assert from "node:assert/strict";
import { autoCastValue, compareValues, normaliseComparator, prefixEnd } from "../src/storage/query/index.js";

const sorted = (values: unknown[]) => [...values].sort(compareValues);

test("values order as null < objects < false < true < numbers < strings (spec §1.5)", () => {
  const ascending = [null, { a: 1 }, false, true, -5, 0, 2.5, 10, "", "10", "25", "B", "Z", "a", "b"];
  assert.deepEqual(sorted([...ascending].reverse()), ascending);
  for (let i = 0; i + 1 < ascending.length; i++) {
    assert.equal(compareValues(ascending[i], ascending[i + 1]), -1, `${JSON.stringify(ascending[i])} < next`);
    assert.equal(compareValues(ascending[i + 1], ascending[i]), 1);
  }
});

test("numbers never equal numeric strings, and numbers compare numerically", () => {
  assert.equal(compareValues(25, "25"), -1);
  assert.equal(compareValues(100, 9), 1);
  assert.equal(compareValues("100", "9"), -1);
  assert.equal(compareValues(-0, 0), 0);
  assert.equal(compareValues(new Date(5), 5), 0);
  assert.equal(compareValues(1n, 1), 0);
  assert.equal(compareValues(NaN, -Infinity), -1);
});

test("missing ties with null, plain objects tie with each other", () => {
  assert.equal(compareValues(undefined, null), 0);
  assert.equal(compareValues({ a: 1 }, { b: 2 }), 0);
  assert.equal(compareValues({ a: 1 }, null), 1);
  assert.equal(compareValues({ a: 1 }, false), -1);
});

test("strings compare by UTF-8 bytes: uppercase first, astral characters after the rest of the BMP", () => {
  assert.deepEqual(sorted(["b", "a", "B", "A", "ab", ""]), ["", "A", "B", "a", "ab", "b"]);
  assert.equal(compareValues("\uffff", "😀"), -1); // U+FFFF < U+1F600, although "\uffff" > "\ud83d" in UTF-16
  assert.equal(compareValues("\ue000", "\ud7ff"), 1);
  assert.equal(compareValues("é", "z"), 1);
  assert.equal(Buffer.compare(Buffer.from("\uffff"), Buffer.from("😀")), -1);
});

test("arrays compare element-wise, so [1, 2] lies between 0 and 2.5 and [5] ties with 5", () => {
  assert.deepEqual(sorted([2.5, [1, 2], 0, 1]), [0, 1, [1, 2], 2.5]);
  assert.equal(compareValues([5], 5), 0);
  assert.equal(compareValues([], null), -1);
  assert.equal(compareValues([1, "a"], [1, 2]), 1);
  assert.equal(compareValues(["a"], ["a", null]), -1);
});

test("comparator aliases map to canonical names; only eq ne lt le gt ge auto-cast (spec §7.2–7.3)", () => {
  const cases: Array<[string, string, boolean]> = [
    ["equals", "equals", false], ["eq", "equals", true], ["equal", "equals", false], ["===", "equals", false],
    ["not_equal", "not_equal", false], ["ne", "not_equal", true], ["notEqual", "not_equal", false],
    ["!=", "not_equal", false], ["!==", "not_equal", false],
    ["greater_than", "greater_than", false], ["gt", "greater_than", true], ["greaterThan", "greater_than", false], [">", "greater_than", false],
    ["greater_than_equal", "greater_than_equal", false], ["ge", "greater_than_equal", true], [">=", "greater_than_equal", false],
    ["greaterThanEqual", "greater_than_equal", false],
    ["less_than", "less_than", false], ["lt", "less_than", true], ["lessThan", "less_than", false], ["<", "less_than", false],
    ["less_than_equal", "less_than_equal", false], ["le", "less_than_equal", true], ["<=", "less_than_equal", false],
    ["lessThanEqual", "less_than_equal", false],
    ["between", "between", false], ["...", "between", false],
    ["starts_with", "starts_with", false], ["sw", "starts_with", false], ["startsWith", "starts_with", false],
    ["ends_with", "ends_with", false], ["ew", "ends_with", false], ["endsWith", "ends_with", false],
    ["contains", "contains", false], ["ct", "contains", false],
  ];
  for (const [name, comparator, autoCast] of cases) {
    assert.deepEqual(normaliseComparator(name), { comparator, autoCast }, name);
  }
  for (const unknown of ["EQUALS", "Eq", "bogus", "around", "", "==", "gte", "toString", "__proto__"]) {
    assert.equal(normaliseComparator(unknown), undefined, unknown);
  }
});

test("auto-cast converts text as Harper's autoCast does (recorded from HarperDB 4.7.29 with eq)", () => {
  // search_by_conditions with `eq` on the peer: " 5" and "5 " found the number 5, "TRUE" true,
  // "undefined" and "NULL" null; "1e3" found the string "1e3", "0025" the string "0025", an ISO
  // date-time no string (it is a Date), "NaN" nothing.
  assert.equal(autoCastValue("25"), 25);
  assert.equal(autoCastValue("-1.5"), -1.5);
  assert.equal(autoCastValue("0"), 0);
  assert.equal(autoCastValue(" 5"), 5);
  assert.equal(autoCastValue("5 "), 5);
  assert.equal(autoCastValue(" 7 "), 7);
  assert.equal(autoCastValue("true"), true);
  assert.equal(autoCastValue("TRUE"), true);
  assert.equal(autoCastValue("false"), false);
  assert.equal(autoCastValue("FALSE"), false);
  assert.equal(autoCastValue("null"), null);
  assert.equal(autoCastValue("NULL"), null);
  assert.equal(autoCastValue("undefined"), null);
  assert.ok(Number.isNaN(autoCastValue("NaN")));
  assert.ok(autoCastValue("2020-01-01T00:00:00.000Z") instanceof Date);
  for (const kept of ["0025", "1e3", "1e400", "", "abc", "True", "0x10", "Infinity", "2020-01-01"]) {
    assert.equal(autoCastValue(kept), kept, JSON.stringify(kept));
  }
  assert.deepEqual(autoCastValue([1, "2"]), [1, "2"]);
  assert.equal(autoCastValue(7), 7);
});

test("the end of a prefix range is the prefix with its last code point incremented", () => {
  assert.equal(prefixEnd("Ali"), "Alj");
  assert.equal(prefixEnd("a\ud7ff"), "a\ue000");
  assert.equal(prefixEnd("a😀"), "a😁");
  assert.equal(prefixEnd("a\u{10ffff}"), "b");
  assert.equal(prefixEnd(""), undefined);
  assert.equal(prefixEnd("\u{10ffff}"), undefined);
});
