import type { Id } from "../types.js";
import { compareValues } from "./compare-values.js";
import { conditionRange } from "./condition-range.js";
import type { IndexRange, IndexSource } from "./index-source.js";
import { isConditionGroup } from "./query.js";
import type { Condition, ConditionGroup, WhereNode } from "./query.js";

/**
 * How records are produced, before `filter` (and-siblings of the driver, all of which must match)
 * is applied to each:
 * - `empty`: nothing can match;
 * - `scan`: the primary store in key order, stopped early past a primary key bound (`stop`);
 * - `get`: one record by primary key (`equals` on a primary key without secondary index);
 * - `index`: a walk over `range` of the index of `condition.attribute`, each entry tested with
 *   `matchesValue` and each record yielded once;
 * - `union`: the members in turn, each record once (an `or` group).
 * `cost` is the number of index entries (or records) the plan reads; a scan costs Infinity.
 */
export type QueryPlan =
  | { kind: "empty"; cost: number; filter: WhereNode[] }
  | { kind: "scan"; cost: number; filter: WhereNode[]; stop: ScanStop }
  | { kind: "get"; cost: number; filter: WhereNode[]; id: Id }
  | { kind: "index"; cost: number; filter: WhereNode[]; condition: Condition; range: IndexRange }
  | { kind: "union"; cost: number; filter: WhereNode[]; members: QueryPlan[] };

/** Bounds on the primary key that let a primary scan stop early, one per direction. */
export interface ScanStop {
  /** Ascending: stop at the first key above this (or equal when not inclusive). */
  upper?: { key: unknown; inclusive: boolean };
  /** Descending: stop at the first key below this (or equal when not inclusive). */
  lower?: { key: unknown; inclusive: boolean };
}

/**
 * Plans a `where` (spec nosql §7.5, ARCHITECTURE §4): in an `and` group the member that reads the
 * fewest index entries drives (`indexCount`; ties go to the earlier member) and the others
 * filter; when no member can use an index, the primary store is scanned and every member filters.
 * Nested `and` groups are flattened into their parent; an `or` group is the union of its members'
 * plans and can drive its parent when all of them use indexes (its cost is their sum).
 */
export function planQuery(source: IndexSource, where: ConditionGroup | undefined): QueryPlan {
  return where === undefined ? scanPlan(source, []) : planNode(source, where);
}

function planNode(source: IndexSource, node: WhereNode): QueryPlan {
  if (!isConditionGroup(node)) return planAnd(source, [node]);
  if (node.operator === "and") return planAnd(source, flattenAnd(node.conditions));
  const members = node.conditions.map((member) => planNode(source, member)).filter((plan) => plan.kind !== "empty");
  if (members.length === 0) return { kind: "empty", cost: 0, filter: [] };
  if (members.length === 1) return members[0] as QueryPlan;
  const cost = members.reduce((sum, plan) => sum + plan.cost, 0);
  return { kind: "union", cost, filter: [], members };
}

function planAnd(source: IndexSource, nodes: WhereNode[]): QueryPlan {
  let best: { plan: QueryPlan; index: number } | undefined;
  for (let index = 0; index < nodes.length; index++) {
    const node = nodes[index] as WhereNode;
    const plan = isConditionGroup(node) ? planNode(source, node) : planCondition(source, node);
    if (plan === undefined || plan.cost === Infinity) continue;
    if (best === undefined || plan.cost < best.plan.cost) best = { plan, index };
    if (plan.cost === 0) break;
  }
  if (best === undefined) return scanPlan(source, nodes);
  const others = nodes.filter((_, index) => index !== best.index);
  return { ...best.plan, filter: [...best.plan.filter, ...others] };
}

/** The cheapest way to drive one condition, or undefined when only a scan can evaluate it. */
function planCondition(source: IndexSource, condition: Condition): QueryPlan | undefined {
  // A record-tested not_equal, contains or ends_with also matches records its walk does not meet.
  if (condition.wholeValue === true) return undefined;
  const range = conditionRange(condition);
  if (range === null) return { kind: "empty", cost: 0, filter: [] };
  const { attribute, comparator, value } = condition;
  if (source.isIndexed(attribute)) {
    return { kind: "index", cost: source.indexCount(attribute, range), filter: [], condition, range };
  }
  if (attribute === source.primaryKey && comparator === "equals" && isId(value)) {
    return { kind: "get", cost: 1, filter: [], id: value };
  }
  return undefined;
}

function scanPlan(source: IndexSource, filter: WhereNode[]): QueryPlan {
  const stop: ScanStop = {};
  for (const node of filter) {
    if (isConditionGroup(node) || node.attribute !== source.primaryKey) continue;
    const range = conditionRange(node);
    if (range === null) return { kind: "empty", cost: 0, filter: [] };
    if (range.end !== undefined) stop.upper = tighter(stop.upper, range.end, range.endInclusive === true, -1);
    if (range.start !== undefined) stop.lower = tighter(stop.lower, range.start, range.startInclusive === true, 1);
  }
  return { kind: "scan", cost: Infinity, filter, stop };
}

/** Keeps the tighter of two bounds: the lower upper bound (`sign` -1) or the higher lower one (1). */
function tighter(
  current: { key: unknown; inclusive: boolean } | undefined,
  key: unknown,
  inclusive: boolean,
  sign: number,
): { key: unknown; inclusive: boolean } {
  if (current === undefined) return { key, inclusive };
  const order = compareValues(key, current.key) * sign;
  if (order > 0 || (order === 0 && !inclusive)) return { key, inclusive };
  return current;
}

function flattenAnd(nodes: WhereNode[]): WhereNode[] {
  return nodes.flatMap((node) =>
    isConditionGroup(node) && node.operator === "and" ? flattenAnd(node.conditions) : [node],
  );
}

function isId(value: unknown): value is Id {
  return typeof value === "string" || (typeof value === "number" && Number.isFinite(value));
}
