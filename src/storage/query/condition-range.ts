import { compareValues } from "./compare-values.js";
import type { IndexRange } from "./index-source.js";
import { conditionText, isPlainObject } from "./matches.js";
import type { Condition } from "./query.js";

/**
 * The index range that holds every element a condition can match (spec nosql §7.2), or `null`
 * when nothing can match (`between [high, low]`, `less_than false`, `equals {...}`). The range is
 * exact for `equals`, the ordering comparators, `between` and `starts_with`: an index walk over it
 * meets only matching elements (plain objects aside, which Harper does not index). For
 * `not_equal`, `ends_with` and `contains` it is `[true, ∞)`, and for a scalar `between` it is the
 * whole index: the walk then filters each entry with `matchesValue`, as Harper's does.
 */
export function conditionRange(condition: Condition): IndexRange | null {
  const { value } = condition;
  switch (condition.comparator) {
    case "equals":
      return isPlainObject(value) ? null : { start: value, startInclusive: true, end: value, endInclusive: true };
    case "not_equal":
      return { start: true, startInclusive: true };
    case "greater_than":
      return { start: value, startInclusive: false };
    case "greater_than_equal":
      return { start: value, startInclusive: true };
    case "less_than":
      if (compareValues(value, true) <= 0) return null;
      return { start: true, startInclusive: true, end: value, endInclusive: false };
    case "less_than_equal":
      if (compareValues(value, true) < 0) return null;
      return { start: true, startInclusive: true, end: value, endInclusive: true };
    case "between":
      return betweenRange(value);
    case "starts_with":
      return prefixRange(conditionText(value));
    case "ends_with":
    case "contains":
      // Harper walks their index from `true` up and tests each entry's text.
      return conditionText(value) === undefined ? null : { start: true, startInclusive: true };
    default:
      return {};
  }
}

function betweenRange(bounds: unknown): IndexRange | null {
  if (!Array.isArray(bounds) || bounds.length === 0) return {};
  if (bounds.length === 1) return { start: bounds[0], startInclusive: true };
  if (compareValues(bounds[0], bounds[1]) > 0) return null;
  return { start: bounds[0], startInclusive: true, end: bounds[1], endInclusive: true };
}

/**
 * `[prefix, next)` where `next` is the prefix with its last code point incremented: in code point
 * (UTF-8) order exactly the strings starting with the prefix lie in it. An empty prefix (or one
 * made only of U+10FFFF) has no upper bound.
 */
function prefixRange(prefix: string | undefined): IndexRange | null {
  if (prefix === undefined) return null;
  const end = prefixEnd(prefix);
  return end === undefined
    ? { start: prefix, startInclusive: true }
    : { start: prefix, startInclusive: true, end, endInclusive: false };
}

/** The lowest string above every string that starts with `prefix`, if there is one. */
export function prefixEnd(prefix: string): string | undefined {
  const points = Array.from(prefix, (char) => char.codePointAt(0) as number);
  while (points.length > 0) {
    const last = (points.pop() as number) + 1;
    if (last <= 0x10ffff) {
      points.push(last === 0xd800 ? 0xe000 : last);
      return String.fromCodePoint(...points);
    }
  }
  return undefined;
}
