import type { Id, StorageRecord } from "../types.js";
import { compareValues } from "./compare-values.js";
import type { IndexSource, PrimaryEntry } from "./index-source.js";
import { matchesValue, matchesWhere } from "./matches.js";
import type { QueryPlan, ScanStop } from "./plan-query.js";
import type { WhereNode } from "./query.js";

/**
 * Runs a plan lazily: the records it selects, each once, in the driving order (index value then
 * primary key, or primary key order for a scan; `reverse` walks backwards, and each member of a
 * union backwards in turn). Nothing is read ahead: stopping the iteration stops the reads.
 */
export function* planRows(source: IndexSource, plan: QueryPlan, reverse: boolean): Generator<PrimaryEntry> {
  const { filter } = plan;
  switch (plan.kind) {
    case "empty":
      return;
    case "get": {
      const record = source.get(plan.id);
      if (record !== undefined && passes(filter, record)) yield { id: plan.id, record };
      return;
    }
    case "scan":
      for (const row of source.scanPrimary(reverse)) {
        if (pastStop(plan.stop, row.id, reverse)) return;
        if (passes(filter, row.record)) yield row;
      }
      return;
    case "index": {
      const { condition, range } = plan;
      // A record is indexed once per array element: remember those already seen (Harper 4.7
      // yields them once per matching element, spec nosql §7.2; we yield each record once).
      const seen = new Set<Id>();
      for (const entry of source.indexRange(condition.attribute, { ...range, reverse })) {
        if (!matchesValue(condition, entry.value) || seen.has(entry.id)) continue;
        const record = source.get(entry.id);
        if (record === undefined) continue;
        if (Array.isArray(record[condition.attribute])) seen.add(entry.id);
        if (passes(filter, record)) yield { id: entry.id, record };
      }
      return;
    }
    case "union": {
      const seen = new Set<Id>();
      for (const member of plan.members) {
        for (const row of planRows(source, member, reverse)) {
          if (seen.has(row.id)) continue;
          seen.add(row.id);
          if (passes(filter, row.record)) yield row;
        }
      }
      return;
    }
  }
}

function passes(filter: readonly WhereNode[], record: StorageRecord): boolean {
  for (const node of filter) if (!matchesWhere(node, record)) return false;
  return true;
}

/** Whether a primary scan has walked past every key its primary key conditions allow. */
function pastStop(stop: ScanStop, id: Id, reverse: boolean): boolean {
  const bound = reverse ? stop.lower : stop.upper;
  if (bound === undefined) return false;
  const order = compareValues(id, bound.key) * (reverse ? -1 : 1);
  return order > 0 || (order === 0 && !bound.inclusive);
}
