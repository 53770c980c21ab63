import { QueryError } from "./query-error.js";
import { comparators, isConditionGroup } from "./query.js";
import type { Condition, ConditionGroup, Query, SortLevel, WhereNode } from "./query.js";

const known: ReadonlySet<string> = new Set(comparators);

/**
 * Checks the shape of a query before anything is read, and throws QueryError with a clear message
 * (Harper's text where it has one) for: a group whose operator is not `and`/`or` or whose
 * `conditions` is not an array, a condition without attribute, with a comparator that is not
 * canonical (`Unknown query comparator "eq"`: aliases are resolved by `normaliseComparator`
 * first) or without value, a sort level without attribute, and an offset or limit that is not an
 * integer ≥ 0. The service layer validates Harper's own rules (`or` needs two conditions, limit
 * ≥ 1) before; this guards the engine.
 */
export function checkQuery(query: Query): void {
  if (typeof query !== "object" || query === null) throw new QueryError("'query' must be an object");
  if (query.where !== undefined) checkNode(query.where, 0);
  if (query.sort !== undefined) {
    if (!Array.isArray(query.sort)) throw new QueryError("'sort' must be an array of sort levels");
    query.sort.forEach(checkSortLevel);
  }
  checkCount("offset", query.offset);
  checkCount("limit", query.limit);
  if (query.reverse !== undefined && typeof query.reverse !== "boolean") {
    throw new QueryError("'reverse' must be a boolean");
  }
}

/** Deep enough for any real query, low enough to stop a hostile one before the stack does. */
const maxDepth = 100;

function checkNode(node: WhereNode, depth: number): void {
  if (typeof node !== "object" || node === null) throw new QueryError("a search condition must be an object");
  if (depth > maxDepth) throw new QueryError(`conditions cannot be nested more than ${maxDepth} levels deep`);
  if (isConditionGroup(node)) checkGroup(node, depth);
  else if ("operator" in node) throw new QueryError("'conditions' must be an array");
  else checkCondition(node);
}

function checkGroup(group: ConditionGroup, depth: number): void {
  if (group.operator !== "and" && group.operator !== "or") {
    throw new QueryError("'operator' must be one of [and, or]");
  }
  for (const member of group.conditions) checkNode(member, depth + 1);
}

function checkCondition(condition: Condition): void {
  const { attribute, comparator } = condition;
  if (typeof attribute !== "string" || attribute === "") {
    throw new QueryError("a search condition requires an attribute");
  }
  if (!known.has(comparator)) throw new QueryError(`Unknown query comparator "${String(comparator)}"`);
  if (condition.value === undefined) throw new QueryError(`Search condition for ${attribute} must have a value`);
}

function checkSortLevel(level: SortLevel): void {
  if (typeof level !== "object" || level === null || typeof level.attribute !== "string" || level.attribute === "") {
    throw new QueryError("Sort requires an attribute");
  }
}

function checkCount(name: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== "number" || !Number.isInteger(value)) throw new QueryError(`'${name}' must be an integer`);
  if (value < 0) throw new QueryError(`'${name}' must be greater than or equal to 0`);
}
