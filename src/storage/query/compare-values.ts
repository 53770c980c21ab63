/**
 * Harper's order of values (spec nosql §1.5), the order of its ordered-binary index keys:
 * missing/`null` < objects < `false` < `true` < numbers (numeric) < strings (UTF-8 byte order).
 * An array compares element-wise against the other side taken as a sequence (a scalar is a
 * one-element sequence), so `[1, 2]` lies between `1` and `2.5` and `[5]` ties with `5`; a shorter
 * prefix comes first, so `[]` is the lowest value of all.
 */

/** Rank of the scalar kinds, lowest first. */
const enum Rank {
  Null = 0,
  Object = 1,
  False = 2,
  True = 3,
  Number = 4,
  String = 5,
}

function rank(value: unknown): Rank {
  switch (typeof value) {
    case "string":
      return Rank.String;
    case "number":
    case "bigint":
      return Rank.Number;
    case "boolean":
      return value ? Rank.True : Rank.False;
    case "undefined":
      return Rank.Null;
    case "object":
      if (value === null) return Rank.Null;
      return value instanceof Date ? Rank.Number : Rank.Object;
    default:
      return Rank.Object;
  }
}

/**
 * Compares two values in Harper's order and returns -1, 0 or 1. Missing (`undefined`) ties with
 * `null`; plain objects tie with each other; a Date is its epoch milliseconds; numbers never equal
 * numeric strings (`25` < `"25"`); strings compare by code point, which is UTF-8 byte order
 * (uppercase before lowercase, `"10"` < `"B"` < `"a"`). NaN sorts below every other number.
 */
export function compareValues(a: unknown, b: unknown): number {
  const aArray = Array.isArray(a);
  const bArray = Array.isArray(b);
  if (aArray || bArray) {
    return compareSequences(aArray ? (a as unknown[]) : [a], bArray ? (b as unknown[]) : [b]);
  }
  const aRank = rank(a);
  const bRank = rank(b);
  if (aRank !== bRank) return aRank < bRank ? -1 : 1;
  if (aRank === Rank.String) return compareStrings(a as string, b as string);
  if (aRank === Rank.Number) return compareNumbers(numeric(a), numeric(b));
  return 0;
}

/**
 * Compares two strings by Unicode code point, the order of their UTF-8 bytes (JavaScript's `<`
 * compares UTF-16 units, which puts U+E000..U+FFFF after the astral planes).
 */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointOrder(x) < codePointOrder(y) ? -1 : 1;
  }
  return a.length < b.length ? -1 : 1;
}

/** Moves surrogates above the rest of the BMP so that UTF-16 units order as code points. */
function codePointOrder(unit: number): number {
  if (unit >= 0xe000) return unit - 0x800;
  if (unit >= 0xd800) return unit + 0x2000;
  return unit;
}

function compareSequences(a: readonly unknown[], b: readonly unknown[]): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const order = compareValues(a[i], b[i]);
    if (order !== 0) return order;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

function numeric(value: unknown): number | bigint {
  return value instanceof Date ? value.getTime() : (value as number | bigint);
}

function compareNumbers(a: number | bigint, b: number | bigint): number {
  if (a < b) return -1;
  if (a > b) return 1;
  if (a == b) return 0; // a bigint equals a number only loosely (1n == 1)
  const aNaN = typeof a === "number" && Number.isNaN(a);
  const bNaN = typeof b === "number" && Number.isNaN(b);
  return aNaN === bNaN ? 0 : aNaN ? -1 : 1;
}
