/**
 * The plain types of a query: conditions combined by nested and/or groups, a multi-level sort,
 * offset and limit. They mirror Harper's `search_by_conditions` (spec nosql §7) after the service
 * layer has resolved aliases (legacy keys, comparator aliases, `next` chains of sort levels).
 */

/**
 * The canonical comparator names (spec nosql §7.2). `normaliseComparator` maps Harper's aliases
 * (`eq`, `>=`, `startsWith`, ...) onto them.
 */
export type Comparator =
  | "equals"
  | "not_equal"
  | "greater_than"
  | "greater_than_equal"
  | "less_than"
  | "less_than_equal"
  | "between"
  | "starts_with"
  | "ends_with"
  | "contains";

/** Every canonical comparator, in the order of spec nosql §7.2. */
export const comparators: readonly Comparator[] = Object.freeze([
  "equals",
  "not_equal",
  "greater_than",
  "greater_than_equal",
  "less_than",
  "less_than_equal",
  "between",
  "starts_with",
  "ends_with",
  "contains",
]);

/** One test on one top-level attribute of a record. */
export interface Condition {
  /** The attribute (top-level property) the condition reads. */
  attribute: string;
  /** How the record's value is compared with `value`. */
  comparator: Comparator;
  /** The value to compare with; `[low, high]` for `between`. Never undefined. */
  value: unknown;
  /**
   * Set by `markHarperFilters` on a `not_equal`, `contains` or `ends_with` that Harper tests on
   * the record rather than through its index: `not_equal` compares the whole value, so a missing
   * or `null` value matches too; `contains` and `ends_with` also match `false` by its text.
   */
  wholeValue?: boolean;
}

/** Conditions (or groups) combined by one boolean operator; groups nest to any depth. */
export interface ConditionGroup {
  /** `and`: every member must match; `or`: at least one. */
  operator: "and" | "or";
  /** The members, plain conditions and groups mixed. */
  conditions: Array<Condition | ConditionGroup>;
}

/** A member of a group: a condition or a nested group. */
export type WhereNode = Condition | ConditionGroup;

/** One level of a sort: the attribute and its direction. */
export interface SortLevel {
  /** The attribute to order by (`compareValues` order, missing and null first ascending). */
  attribute: string;
  /** Highest first when true. */
  descending: boolean;
}

/** Everything `runQuery` needs to know besides the table. */
export interface Query {
  /** Which records; all of them when absent. */
  where?: ConditionGroup;
  /** Sort levels, most significant first; ties after the last keep the driving order. */
  sort?: SortLevel[];
  /** Records to skip after ordering (default 0). */
  offset?: number;
  /** Most records to return (default all). */
  limit?: number;
  /** Walk the driving index (or the primary store) backwards. */
  reverse?: boolean;
  /**
   * Give each `not_equal` the meaning it has at its place in Harper's own plan
   * (`markHarperFilters`): search_by_conditions sets it. Without it every condition keeps its
   * index-walk meaning wherever it stands.
   */
  harperPlan?: boolean;
}

/** True when the node is a group (it has `conditions`), false for a plain condition. */
export function isConditionGroup(node: WhereNode): node is ConditionGroup {
  return Array.isArray((node as Partial<ConditionGroup>).conditions);
}
