import type { Id, StorageRecord } from "../types.js";
import { compareValues } from "./compare-values.js";
import type { IndexEntry, IndexRange, IndexSource, PrimaryEntry } from "./index-source.js";
import { isPlainObject } from "./matches.js";

/** How to build a MemoryIndexSource. */
export interface MemoryIndexSourceOptions {
  /** Name of the primary key attribute; every record must carry a string or number there. */
  primaryKey: string;
  /** The attributes that get a secondary index (the primary key too, if listed). */
  indexed: readonly string[];
}

/** An IndexSource over records held in memory, which also counts what the engine reads. */
export interface MemoryIndexSource extends IndexSource {
  /** Records read so far: `get` calls that found one, plus records yielded by `scanPrimary`. */
  readonly recordsRead: number;
  /** Index entries yielded so far by `indexRange`. */
  readonly entriesRead: number;
}

/**
 * Builds an IndexSource from records, as sorted arrays: the primary store in `compareValues`
 * order of the keys, and per indexed attribute one entry per value (per element of an array
 * value; `null` included; missing values, `undefined` elements and plain objects left out, as
 * Harper cannot index them), ordered by value then id. For tests and small read-only tables; a
 * later record with the same key replaces an earlier one.
 */
export function createMemoryIndexSource(
  records: Iterable<StorageRecord>,
  options: MemoryIndexSourceOptions,
): MemoryIndexSource {
  const { primaryKey } = options;
  const byId = new Map<Id, StorageRecord>();
  for (const record of records) {
    const id = record[primaryKey];
    if (typeof id !== "string" && typeof id !== "number") throw new Error(`record without a valid '${primaryKey}'`);
    byId.set(id, record);
  }
  const primary: PrimaryEntry[] = Array.from(byId, ([id, record]) => ({ id, record }));
  primary.sort((a, b) => compareValues(a.id, b.id));
  const indexes = new Map<string, IndexEntry[]>();
  for (const attribute of options.indexed) indexes.set(attribute, buildIndex(primary, attribute));
  let recordsRead = 0;
  let entriesRead = 0;

  function* entries(attribute: string, range: IndexRange): Generator<IndexEntry> {
    const index = indexes.get(attribute) ?? [];
    const [from, to] = bounds(index, range);
    if (range.reverse === true) {
      for (let i = to - 1; i >= from; i--) {
        entriesRead++;
        yield index[i] as IndexEntry;
      }
    } else {
      for (let i = from; i < to; i++) {
        entriesRead++;
        yield index[i] as IndexEntry;
      }
    }
  }

  function* scan(reverse: boolean): Generator<PrimaryEntry> {
    for (let i = 0; i < primary.length; i++) {
      recordsRead++;
      yield primary[reverse ? primary.length - 1 - i : i] as PrimaryEntry;
    }
  }

  return {
    primaryKey,
    get(id: Id): StorageRecord | undefined {
      const record = byId.get(id);
      if (record !== undefined) recordsRead++;
      return record;
    },
    scanPrimary: (reverse) => ({ [Symbol.iterator]: () => scan(reverse) }),
    isIndexed: (attribute) => indexes.has(attribute),
    indexRange: (attribute, range) => ({ [Symbol.iterator]: () => entries(attribute, range) }),
    indexCount(attribute, range) {
      const [from, to] = bounds(indexes.get(attribute) ?? [], range);
      return Math.max(0, to - from);
    },
    get recordsRead() {
      return recordsRead;
    },
    get entriesRead() {
      return entriesRead;
    },
  };
}

function buildIndex(primary: readonly PrimaryEntry[], attribute: string): IndexEntry[] {
  const index: IndexEntry[] = [];
  for (const { id, record } of primary) {
    const value = record[attribute];
    if (value === undefined) continue;
    for (const element of Array.isArray(value) ? value : [value]) {
      if (element !== undefined && !isPlainObject(element)) index.push({ value: element, id });
    }
  }
  return index.sort((a, b) => compareValues(a.value, b.value) || compareValues(a.id, b.id));
}

/** The half-open slice `[from, to)` of a sorted index that lies within the range. */
function bounds(index: readonly IndexEntry[], range: IndexRange): [number, number] {
  const from =
    range.start === undefined
      ? 0
      : firstWhere(index, (value) => compareValues(value, range.start) >= (range.startInclusive === true ? 0 : 1));
  const to =
    range.end === undefined
      ? index.length
      : firstWhere(index, (value) => compareValues(value, range.end) >= (range.endInclusive === true ? 1 : 0));
  return [from, Math.max(from, to)];
}

/** Binary search: the first position whose value satisfies a predicate that is monotone. */
function firstWhere(index: readonly IndexEntry[], predicate: (value: unknown) => boolean): number {
  let low = 0;
  let high = index.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (predicate((index[middle] as IndexEntry).value)) high = middle;
    else low = middle + 1;
  }
  return low;
}
