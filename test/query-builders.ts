import type { Condition, ConditionGroup, WhereNode } from "../src/storage/query/index.js";
import type { StorageRecord } from "../src/storage/types.js";

/** Short builders of query-engine conditions for the query tests. */
export const and = (...conditions: WhereNode[]): ConditionGroup => ({ operator: "and", conditions });
export const or = (...conditions: WhereNode[]): ConditionGroup => ({ operator: "or", conditions });
export const where = (attribute: string, comparator: Condition["comparator"], value: unknown): Condition => ({ attribute, comparator, value });

/** The `id`s of records, in order. */
export const ids = (records: Iterable<StorageRecord>) => Array.from(records, (record) => record["id"]);
