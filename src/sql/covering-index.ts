import { compareStoredKeys } from "../storage/index.js";
import type { Id, StorageRecord } from "../storage/index.js";
import type { Row, Slot } from "./scope.js";

/** Rows read from an index alone, and the place in key order of each indexed value's first record. */
export interface CoveringRows {
  rows: Row[];
  /** The first (lowest) primary key holding each value, for ordering groups as a scan would. */
  firstKey: (value: unknown) => Id | undefined;
}

/**
 * The rows of a grouped statement that reads at most one column of one table, from that column's
 * index instead of the records (an aggregate over a whole table then never decodes a record):
 * the primary key's own store when the statement reads no column or only the key, else the
 * column's secondary index. Each row holds a record with that one attribute. Undefined when the
 * index cannot stand for the records: a table with expiration, a Date column (the index holds
 * numbers), or, found while reading, a record listed twice (an array value) or records missing
 * from the index (no value, or an object).
 */
export function coveringRows(slot: Slot, columns: ReadonlySet<string>): CoveringRows | undefined {
  const table = slot.table;
  const info = table.info;
  if (info.expiration !== undefined || columns.size > 1) return undefined;
  const primaryKey = info.primaryKey;
  const [column = primaryKey] = columns;
  if (column === primaryKey) {
    const rows: Row[] = [];
    for (const { id } of table.indexRange(primaryKey, {})) rows.push([{ [primaryKey]: id } as StorageRecord]);
    return { rows, firstKey: (value) => value as Id };
  }
  const attribute = info.attributes.find((a) => a.name === column);
  if (!attribute || !table.isIndexed(column) || attribute.type === "Date") return undefined;
  const rows: Row[] = [];
  const seen = new Set<Id>();
  const first = new Map<unknown, Id>();
  for (const { value, id } of table.indexRange(column, {})) {
    if (seen.has(id)) return undefined;
    seen.add(id);
    if (!first.has(value)) first.set(value, id);
    rows.push([{ [column]: value } as StorageRecord]);
  }
  if (seen.size !== table.count()) return undefined;
  return { rows, firstKey: (value) => first.get(value) };
}

/** Orders groups built from covering rows as the same groups built from a key-order scan. */
export function scanOrder<T>(groups: T[], valueOf: (group: T) => unknown, covering: CoveringRows): T[] {
  const keyOf = (group: T) => covering.firstKey(valueOf(group));
  return [...groups].sort((a, b) => {
    const ka = keyOf(a);
    const kb = keyOf(b);
    if (ka === undefined || kb === undefined) return 0;
    return compareStoredKeys(ka, kb);
  });
}
