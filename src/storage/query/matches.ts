import type { StorageRecord } from "../types.js";
import { compareValues } from "./compare-values.js";
import { QueryError } from "./query-error.js";
import { isConditionGroup } from "./query.js";
import type { Condition, WhereNode } from "./query.js";

/**
 * Whether a record matches a condition, with Harper 4.7's semantics (spec nosql §7.2), which are
 * those of its index walk: the condition is tested on each *element* of the attribute's value (an
 * array value has one element per item, a scalar one, a missing attribute none) and the record
 * matches when any element does (see `matchesValue`). So a missing attribute never matches, and
 * `equals null` finds explicit nulls only. A `not_equal` marked `wholeValue` (Harper tests it on
 * the record, see `markHarperFilters`) compares the whole value instead: see `differs`; a
 * `contains` or `ends_with` so marked also matches a `false` element by its text.
 */
export function matches(condition: Condition, record: StorageRecord): boolean {
  const value = record[condition.attribute];
  if (condition.wholeValue === true && condition.comparator === "not_equal") return differs(value, condition.value);
  if (value === undefined) return false;
  if (!Array.isArray(value)) return matchesValue(condition, value);
  for (const element of value) if (matchesValue(condition, element)) return true;
  return false;
}

/** Whether a record matches a condition or a group (and: all members, or: any member). */
export function matchesWhere(node: WhereNode, record: StorageRecord): boolean {
  if (!isConditionGroup(node)) return matches(node, record);
  if (node.operator === "or") return node.conditions.some((member) => matchesWhere(member, record));
  return node.conditions.every((member) => matchesWhere(member, record));
}

/**
 * Whether one element of an attribute value (the value itself, or one item of an array value)
 * matches a condition. Elements that are `undefined` or plain objects never match: Harper cannot
 * index them. Otherwise, with `compareValues` order:
 * - `equals`: equal (`null` finds `null`; `25` never finds `"25"`);
 * - `not_equal`, `less_than`, `less_than_equal`: the element is at least `true` (Harper's walk
 *   starts there, so `null` and `false` never match) and differs / is lower / is not higher;
 * - `greater_than`, `greater_than_equal`: higher / not lower (`greater_than 28` finds `"40"`);
 * - `between [low, high]`: inclusive; `[high, low]` nothing; `[low]` no upper bound; a scalar (or
 *   empty array) value matches every element;
 * - `starts_with`: string elements with that prefix (the condition value is taken as its text,
 *   see `conditionText`: `5` is `"5"`, `[2]` is `"2"`);
 * - `ends_with`, `contains`: on the text of strings, numbers and `true` (and dates, ISO), so
 *   `contains 0` finds `100.5` and `contains null` finds `"null"`. Harper walks their index from
 *   `true` up, so `null` and `false` never match, unless the condition is tested on the record
 *   (`wholeValue`, see `markHarperFilters`): there `false` is its text `"false"` too.
 */
export function matchesValue(condition: Condition, element: unknown): boolean {
  if (element === undefined || isPlainObject(element)) return false;
  const { value } = condition;
  switch (condition.comparator) {
    case "equals":
      return compareValues(element, value) === 0;
    case "not_equal":
      return atLeastTrue(element) && compareValues(element, value) !== 0;
    case "greater_than":
      return compareValues(element, value) > 0;
    case "greater_than_equal":
      return compareValues(element, value) >= 0;
    case "less_than":
      return atLeastTrue(element) && compareValues(element, value) < 0;
    case "less_than_equal":
      return atLeastTrue(element) && compareValues(element, value) <= 0;
    case "between":
      return inBetween(element, value);
    case "starts_with": {
      if (typeof element !== "string") return false;
      const prefix = conditionText(value);
      return prefix !== undefined && element.startsWith(prefix);
    }
    case "ends_with": {
      if (element === false && condition.wholeValue !== true) return false;
      const suffix = conditionText(value);
      const text = textOf(element);
      return suffix !== undefined && text !== undefined && text.endsWith(suffix);
    }
    case "contains": {
      if (element === false && condition.wholeValue !== true) return false;
      const part = conditionText(value);
      const text = textOf(element);
      return part !== undefined && text !== undefined && text.includes(part);
    }
    default:
      throw new QueryError(`Unknown query comparator "${String(condition.comparator)}"`);
  }
}

/**
 * The text a value has for `starts_with`, `ends_with` and `contains`: strings as they are,
 * numbers, bigints and booleans as `String(v)`, dates as ISO strings; undefined for the rest.
 */
export function textOf(value: unknown): string | undefined {
  switch (typeof value) {
    case "string":
      return value;
    case "number":
    case "bigint":
    case "boolean":
      return String(value);
    default:
      return value instanceof Date && !Number.isNaN(value.getTime()) ? value.toISOString() : undefined;
  }
}

/**
 * The text a condition value of `starts_with`, `ends_with` or `contains` stands for: Harper
 * converts it as JavaScript does (`String(v)`), so `null` is `"null"`, `true` is `"true"` and
 * `[2]` is `"2"`; dates are ISO strings (`textOf`). A plain object has none (it never matches).
 */
export function conditionText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (value === null || Array.isArray(value)) return String(value);
  return textOf(value);
}

/** True for a non-null object that is neither an array nor a Date (not indexable by Harper). */
export function isPlainObject(value: unknown): boolean {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/**
 * Harper's test of `not_equal` on a record: the whole value against the condition's (an array as
 * one value, so `[5]` equals `5` but `[5, 6]` does not), and a missing value differs from
 * everything, `null` included.
 */
function differs(value: unknown, other: unknown): boolean {
  return value === undefined || compareValues(value, other) !== 0;
}

function atLeastTrue(element: unknown): boolean {
  return compareValues(element, true) >= 0;
}

function inBetween(element: unknown, bounds: unknown): boolean {
  if (!Array.isArray(bounds) || bounds.length === 0) return true;
  const low: unknown = bounds[0];
  if (bounds.length === 1) return compareValues(element, low) >= 0;
  const high: unknown = bounds[1];
  if (compareValues(low, high) > 0) return false;
  return compareValues(element, low) >= 0 && compareValues(element, high) <= 0;
}
