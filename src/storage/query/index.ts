/**
 * The query engine: Harper's conditions, value order, sort and paging over any table that
 * implements IndexSource. Pure: it knows nothing of lmdb, proto or HTTP.
 */
export { runQuery } from "./run-query.js";
export { planQuery } from "./plan-query.js";
export { markHarperFilters } from "./harper-plan.js";
export type { QueryPlan, ScanStop } from "./plan-query.js";
export { checkQuery } from "./check-query.js";
export { compareValues, compareStrings } from "./compare-values.js";
export { matches, matchesValue, matchesWhere, textOf } from "./matches.js";
export { conditionRange, prefixEnd } from "./condition-range.js";
export { sortRecords } from "./sort-records.js";
export { normaliseComparator, autoCastValue } from "./normalise-comparator.js";
export type { NormalisedComparator } from "./normalise-comparator.js";
export { comparators, isConditionGroup } from "./query.js";
export type { Comparator, Condition, ConditionGroup, Query, SortLevel, WhereNode } from "./query.js";
export { QueryError, isQueryError } from "./query-error.js";
export type { IndexEntry, IndexRange, IndexSource, PrimaryEntry } from "./index-source.js";
export { createMemoryIndexSource } from "./memory-index-source.js";
export type { MemoryIndexSource, MemoryIndexSourceOptions } from "./memory-index-source.js";
