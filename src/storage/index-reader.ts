import { compareKeys } from "lmdb";
import type { Key, RangeOptions } from "lmdb";
import type { TableState } from "./database-env.js";
import { StorageError } from "./errors.js";
import { indexBoundOf, indexKeysOf, isPossiblyTruncated, truncateString } from "./index-keys.js";
import type { IndexRange, IndexSource } from "./query/index-source.js";
import type { Id, StorageRecord } from "./types.js";

/**
 * The read side the query engine uses (its IndexSource, query/index-source.ts): records by key,
 * the primary store in key order, and the secondary indexes in value order. Everything is
 * synchronous and lazy; records of a table with `expiration` whose time has passed are invisible
 * everywhere. Where this goes beyond IndexSource's contract:
 * - `isIndexed` is also true for the primary key: the primary store is its index, and
 *   `indexRange(primaryKey, ...)` walks it (`value` = `id`), so key ranges never scan the table;
 * - `indexRange` yields a record once per distinct element of an array value; objects are not
 *   indexed (index-keys.ts); Dates come back as epoch milliseconds;
 * - `indexCount` is lmdb's count of the range's entries, expired records not yet swept included;
 * - a bound that is an object throws StorageError INVALID `Unable to serialize object as a key`.
 */
export interface IndexReader extends IndexSource {
  /** The live record with this key, or undefined. */
  get(id: Id): StorageRecord | undefined;
}

/** Creates the reader of one table. `live` throws when the table is gone or the storage closed. */
export function createIndexReader(state: TableState, live: () => void, now: () => number): IndexReader {
  const expiring = () => state.info.expiration !== undefined;
  const isLive = (id: Id, time: number): boolean => {
    const version = state.stores.primary.getEntry(id)?.version;
    return version !== undefined && version > time;
  };
  const get = (id: Id): StorageRecord | undefined => {
    if (!expiring()) return state.stores.primary.get(id);
    const entry = state.stores.primary.getEntry(id);
    return entry && (entry.version as number) > now() ? entry.value : undefined;
  };
  const indexOf = (attribute: string) => {
    const index = state.indexes.get(attribute);
    if (!index) throw new StorageError("INVALID", `attribute '${attribute}' is not indexed`);
    return index;
  };

  return {
    get primaryKey() {
      return state.info.primaryKey;
    },
    get(id) {
      live();
      return get(id);
    },
    scanPrimary: (reverse) => ({
      [Symbol.iterator]() {
        live();
        const time = now();
        const versions = expiring();
        return state.stores.primary
          .getRange({ reverse, versions })
          .filter((entry) => !versions || (entry.version as number) > time)
          .map(({ key, value }) => ({ id: key, record: value }))
          [Symbol.iterator]();
      },
    }),
    isIndexed: (attribute) => attribute === state.info.primaryKey || state.indexes.has(attribute),
    indexRange: (attribute, range) => ({
      [Symbol.iterator]() {
        live();
        const bounds = boundsOf(range);
        const time = now();
        if (attribute === state.info.primaryKey) {
          const exact = !bounds.lowerCut && !bounds.upperCut;
          return state.stores.primary
            .getKeys(lmdbRange(range, bounds))
            .filter((id) => (exact || inRange(id, range)) && (!expiring() || isLive(id, time)))
            .map((id) => ({ value: id as unknown, id }))
            [Symbol.iterator]();
        }
        const entries = indexOf(attribute).getRange(lmdbRange(range, bounds));
        const alive = expiring() ? (id: Id) => isLive(id, time) : undefined;
        return resolveEntries(entries, range, alive, (id) => state.stores.primary.get(id), attribute)[Symbol.iterator]();
      },
    }),
    indexCount(attribute, range) {
      live();
      const options = lmdbRange(range, boundsOf(range));
      return attribute === state.info.primaryKey ? state.stores.primary.getCount(options) : indexOf(attribute).getCount(options);
    },
  };
}

interface Bounds {
  lower: Key | undefined;
  upper: Key | undefined;
  /** The lower bound string was cut to index length: the range must take in its prefix group. */
  lowerCut: boolean;
  /** The same for the upper bound. */
  upperCut: boolean;
}

function boundsOf(range: IndexRange): Bounds {
  const bound = (value: unknown): Key | undefined => {
    if (value === undefined) return undefined;
    const key = indexBoundOf(value);
    if (key === undefined) {
      throw new StorageError("INVALID", `Unable to serialize object as a key: ${JSON.stringify(value)}`);
    }
    return key;
  };
  const lower = bound(range.start);
  const upper = bound(range.end);
  const cut = (value: unknown) => typeof value === "string" && truncateString(value) !== value;
  return { lower, upper, lowerCut: cut(range.start), upperCut: cut(range.end) };
}

/**
 * lmdb range options for an IndexRange. Absent lower bounds start at null, the smallest key (lmdb's
 * default start skips it). Reverse ranges run from `start` down to `end` in lmdb.
 */
function lmdbRange(range: IndexRange, { lower, upper, lowerCut, upperCut }: Bounds): RangeOptions {
  // IndexRange bounds are exclusive unless flagged inclusive. A truncated bound must take in its
  // whole prefix group; resolveEntries then checks the full values.
  const lowerInclusive = lowerCut || range.startInclusive === true;
  const upperInclusive = upperCut || range.endInclusive === true;
  const smallest = null as unknown as Key;
  if (!range.reverse) {
    return {
      start: lower ?? smallest,
      exclusiveStart: lower !== undefined && !lowerInclusive,
      end: upper,
      inclusiveEnd: upper !== undefined && upperInclusive,
    };
  }
  return {
    reverse: true,
    start: upper,
    exclusiveStart: upper !== undefined && !upperInclusive,
    end: lower ?? smallest,
    inclusiveEnd: lower === undefined || lowerInclusive,
  };
}

/**
 * Turns index entries into `{ value, id }`, dropping expired records (`alive`, on tables with
 * expiration). Keys that may be truncated strings are replaced by the record's full values, which
 * are checked against the original bounds.
 */
function* resolveEntries(
  entries: Iterable<{ key: Key; value: Id }>,
  range: IndexRange,
  alive: ((id: Id) => boolean) | undefined,
  record: (id: Id) => StorageRecord | undefined,
  attribute: string,
): Generator<{ value: unknown; id: Id }> {
  for (const { key, value: id } of entries) {
    if (alive && !alive(id)) continue;
    if (!isPossiblyTruncated(key)) {
      yield { value: key, id };
      continue;
    }
    const stored = record(id)?.[attribute];
    if (stored === undefined) continue;
    const full = (Array.isArray(stored) ? stored : [stored]).filter(
      (element): element is string => typeof element === "string" && indexKeysOf(element)[0] === key && inRange(element, range),
    );
    const distinct = [...new Set(full)].sort(compareKeys as (a: string, b: string) => number);
    if (range.reverse) distinct.reverse();
    for (const value of distinct) yield { value, id };
  }
}

/** Whether a full value lies within the range's original (untruncated) bounds. */
function inRange(value: Key, range: IndexRange): boolean {
  if (range.start !== undefined) {
    const order = compareKeys(value, range.start as Key);
    if (order < 0 || (order === 0 && range.startInclusive !== true)) return false;
  }
  if (range.end !== undefined) {
    const order = compareKeys(value, range.end as Key);
    if (order > 0 || (order === 0 && range.endInclusive !== true)) return false;
  }
  return true;
}
