import type { StorageRecord } from "../types.js";
import { compareValues } from "./compare-values.js";
import type { SortLevel } from "./query.js";

/**
 * Sorts records in place by the sort levels (spec nosql §7.4): each level compares its attribute
 * in `compareValues` order, so missing and `null` values come first ascending and last
 * descending; the next level breaks ties, and ties after the last level keep the order the
 * records came in (the sort is stable), whatever the direction. Returns the same array.
 */
export function sortRecords(records: StorageRecord[], levels: readonly SortLevel[]): StorageRecord[] {
  if (levels.length === 0) return records;
  return records.sort((a, b) => {
    for (const { attribute, descending } of levels) {
      const order = compareValues(a[attribute], b[attribute]);
      if (order !== 0) return descending ? -order : order;
    }
    return 0;
  });
}
