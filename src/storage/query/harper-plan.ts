import type { IndexSource } from "./index-source.js";
import { isConditionGroup } from "./query.js";
import type { Condition, ConditionGroup, SortLevel, WhereNode } from "./query.js";

/**
 * Where Harper 4.7's search tests a `not_equal` on the record instead of walking its index.
 *
 * Harper answers an `and` group by walking the index of the member it estimates cheapest and
 * testing the others on each record found; an `or` group walks the index of every member.
 * Walking the index of `not_equal` finds only records that hold a value (from `true` upwards),
 * but testing it on a record compares the whole value, so there a missing or `null` value (and
 * `false`) differs and matches. Which of the two happens depends on Harper's estimates, which
 * for `not_equal` are structural: a non-null `not_equal` (like `contains` and `ends_with`, and
 * `equals` on an attribute without index) is estimated as the whole table and never chosen while
 * a member with a finite estimate exists; `not_equal null` is estimated as the table less its
 * nulls, taken here as the largest finite estimate. Among equal estimates the earlier member
 * wins. A `sort` on an indexed attribute that no top-level condition reads joins a top-level
 * `and` as one more, finite, member (Harper's "sort" condition). Within a member that is tested
 * on the record, everything is tested on the record.
 *
 * `contains` and `ends_with` differ the same way, for `false` only: their walk also starts at
 * `true`, while on the record `false` is tested by its text (`contains "al"` finds it).
 *
 * Returns a copy of `where` in which every `not_equal`, `contains` and `ends_with` Harper tests
 * on the record carries `wholeValue: true` (see `matches`); the others keep their index-walk
 * meaning.
 */
export function markHarperFilters(where: ConditionGroup, sort: readonly SortLevel[] | undefined, source: IndexSource): ConditionGroup {
  const sortDrives = where.operator === "and" && sortCondition(where, sort, source);
  return mark(where, true, sortDrives, source) as ConditionGroup;
}

/** The comparators whose meaning differs when Harper tests them on the record. */
const recordTested: ReadonlySet<string> = new Set(["not_equal", "contains", "ends_with"]);

/** How Harper ranks a member's estimate: finite, `not_equal null` (large), whole table. */
const enum Estimate {
  Finite = 0,
  Large = 1,
  Table = 2,
}

function mark(node: WhereNode, walked: boolean, sortDrives: boolean, source: IndexSource): WhereNode {
  if (!isConditionGroup(node)) {
    // An attribute without index is always tested on the record (Harper scans the table).
    const onRecord = !walked || (node.attribute !== source.primaryKey && !source.isIndexed(node.attribute));
    return onRecord && recordTested.has(node.comparator) ? { ...node, wholeValue: true } : node;
  }
  if (!walked || node.operator === "or") {
    return { ...node, conditions: node.conditions.map((member) => mark(member, walked, false, source)) };
  }
  // An `and` that is walked: its cheapest member (the first of equals) is walked, the rest tested.
  let driver = -1;
  let best: Estimate | undefined;
  node.conditions.forEach((member, index) => {
    const estimate = estimateOf(member, source);
    if (best === undefined || estimate < best) {
      best = estimate;
      driver = index;
    }
  });
  // Harper's sort condition comes after the members: it is walked when no member is finite.
  if (sortDrives && best !== Estimate.Finite) driver = -1;
  return { ...node, conditions: node.conditions.map((member, index) => mark(member, index === driver, false, source)) };
}

function estimateOf(node: WhereNode, source: IndexSource): Estimate {
  if (isConditionGroup(node)) {
    return node.conditions.some((member) => estimateOf(member, source) === Estimate.Table) ? Estimate.Table : Estimate.Finite;
  }
  return conditionEstimate(node, source);
}

function conditionEstimate(condition: Condition, source: IndexSource): Estimate {
  switch (condition.comparator) {
    case "not_equal":
      return condition.value === null ? Estimate.Large : Estimate.Table;
    case "contains":
    case "ends_with":
      return Estimate.Table;
    case "equals":
      return condition.attribute === source.primaryKey || source.isIndexed(condition.attribute) ? Estimate.Finite : Estimate.Table;
    default:
      return Estimate.Finite;
  }
}

/** Whether Harper adds a sort condition: the first sort level's attribute is indexed and unread. */
function sortCondition(where: ConditionGroup, sort: readonly SortLevel[] | undefined, source: IndexSource): boolean {
  const attribute = sort?.[0]?.attribute;
  if (attribute === undefined || attribute === source.primaryKey || !source.isIndexed(attribute)) return false;
  return !where.conditions.some((member) => !isConditionGroup(member) && member.attribute === attribute);
}
