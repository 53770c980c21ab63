import type { StorageRecord } from "../types.js";
import { checkQuery } from "./check-query.js";
import { markHarperFilters } from "./harper-plan.js";
import type { IndexSource } from "./index-source.js";
import { planQuery } from "./plan-query.js";
import type { QueryPlan } from "./plan-query.js";
import { planRows } from "./plan-rows.js";
import type { Query } from "./query.js";
import { sortRecords } from "./sort-records.js";

/**
 * Runs a query over a table and returns its records, lazily (spec nosql §6–§7, ARCHITECTURE §4).
 * The query is checked at once (QueryError); the table is read only as the result is iterated,
 * and each iteration plans and reads afresh.
 *
 * Order: without `sort`, the driving order (see `planQuery`): the driving index's value order,
 * ties by primary key, or primary key order when no index drives (no `where`, or no indexed
 * condition); `reverse` walks it backwards. An `or` yields its first member's records, then the
 * new records of the next, and so on. Every record comes once, even when several elements of
 * an array value match. With `sort`, all matches are sorted in memory (stable over the driving
 * order); a sort on the primary key over a primary scan streams instead.
 *
 * `offset` and `limit` apply after ordering; without an in-memory sort they stop the reads as
 * soon as the page is full, so a page never loads the table.
 */
export function runQuery(source: IndexSource, query: Query = {}): Iterable<StorageRecord> {
  checkQuery(query);
  return { [Symbol.iterator]: () => execute(source, query) };
}

function* execute(source: IndexSource, query: Query): Generator<StorageRecord> {
  const where = query.harperPlan === true && query.where !== undefined ? markHarperFilters(query.where, query.sort, source) : query.where;
  const plan = planQuery(source, where);
  const offset = query.offset ?? 0;
  const limit = query.limit ?? Infinity;
  if (limit === 0) return;
  const sort = query.sort ?? [];
  let reverse = query.reverse === true;
  if (sort.length > 0) {
    const first = sort[0] as (typeof sort)[number];
    if (!streamsInKeyOrder(plan, source, first.attribute)) {
      const all = Array.from(planRows(source, plan, reverse), (row) => row.record);
      yield* sortRecords(all, sort).slice(offset, offset + limit);
      return;
    }
    // Primary keys are unique and a scan walks them in order: the sort is the scan direction.
    reverse = first.descending;
  }
  let skipped = 0;
  let taken = 0;
  for (const row of planRows(source, plan, reverse)) {
    if (skipped < offset) {
      skipped++;
      continue;
    }
    yield row.record;
    if (++taken >= limit) return;
  }
}

/** Whether the plan walks the primary store and the sort's first level is the primary key. */
function streamsInKeyOrder(plan: QueryPlan, source: IndexSource, attribute: string): boolean {
  return attribute === source.primaryKey && (plan.kind === "scan" || plan.kind === "empty");
}
