import { autoCast } from "./auto-cast.js";
import type { Comparator } from "./query.js";

/** What a comparator name given by a client stands for. */
export interface NormalisedComparator {
  /** The canonical name. */
  comparator: Comparator;
  /**
   * True for the short aliases `eq ne lt le gt ge`, whose string values Harper auto-casts on
   * untyped attributes (spec nosql §7.3): apply `autoCastValue` to the condition value.
   */
  autoCast: boolean;
}

/** Every accepted name, canonical ones included (spec nosql §7.2, case-sensitive). */
const names: ReadonlyMap<string, Comparator> = new Map<string, Comparator>([
  ["equals", "equals"],
  ["eq", "equals"],
  ["equal", "equals"],
  ["===", "equals"],
  ["not_equal", "not_equal"],
  ["ne", "not_equal"],
  ["notEqual", "not_equal"],
  ["!=", "not_equal"],
  ["!==", "not_equal"],
  ["greater_than", "greater_than"],
  ["gt", "greater_than"],
  ["greaterThan", "greater_than"],
  [">", "greater_than"],
  ["greater_than_equal", "greater_than_equal"],
  ["ge", "greater_than_equal"],
  ["greaterThanEqual", "greater_than_equal"],
  [">=", "greater_than_equal"],
  ["less_than", "less_than"],
  ["lt", "less_than"],
  ["lessThan", "less_than"],
  ["<", "less_than"],
  ["less_than_equal", "less_than_equal"],
  ["le", "less_than_equal"],
  ["lessThanEqual", "less_than_equal"],
  ["<=", "less_than_equal"],
  ["between", "between"],
  ["...", "between"],
  ["starts_with", "starts_with"],
  ["sw", "starts_with"],
  ["startsWith", "starts_with"],
  ["ends_with", "ends_with"],
  ["ew", "ends_with"],
  ["endsWith", "ends_with"],
  ["contains", "contains"],
  ["ct", "contains"],
]);

/** The aliases whose values are auto-cast (spec nosql §7.3). */
const autoCasting: ReadonlySet<string> = new Set(["eq", "ne", "lt", "le", "gt", "ge"]);

/**
 * Maps a comparator name as a client wrote it (`eq`, `>=`, `startsWith`, `greater_than`) to its
 * canonical name, and says whether its value is auto-cast. Names are case-sensitive; an unknown
 * name gives undefined, which the service answers with `Unknown query comparator "<name>"`.
 */
export function normaliseComparator(name: string): NormalisedComparator | undefined {
  if (typeof name !== "string") return undefined;
  const comparator = names.get(name);
  return comparator === undefined ? undefined : { comparator, autoCast: autoCasting.has(name) };
}

/**
 * Harper's auto-cast of a condition value given with a short alias (spec nosql §7.3): a string is
 * converted as Harper's `autoCast` converts it (auto-cast.ts: `"25"` → 25, `" 7 "` → 7, `"TRUE"` →
 * true, `"undefined"` → null, `"0025"` and `"1e3"` stay text); every other value is unchanged.
 * Recorded from HarperDB 4.7.29 (test/query-value-order.test.ts).
 */
export function autoCastValue(value: unknown): unknown {
  return typeof value === "string" ? autoCast(value) : value;
}
