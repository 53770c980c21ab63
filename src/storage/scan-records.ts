import type { RangeOptions } from "lmdb";
import type { TableState } from "./database-env.js";
import { StorageError } from "./errors.js";
import { checkId } from "./primary-key.js";
import type { ScanOptions, StorageRecord } from "./types.js";

/**
 * Table.scan: the live records in primary key order, lazily, from one snapshot per iteration.
 * Options are checked when scan is called; `live` is checked each time iteration starts. Without
 * expiration, lmdb applies `offset`/`limit` itself; with it, expired records are skipped first
 * and `offset`/`limit` count live records only.
 */
export function scanRecords(
  state: TableState,
  options: ScanOptions,
  live: () => void,
  now: () => number,
): Iterable<StorageRecord> {
  const range = rangeOf(options);
  return {
    [Symbol.iterator]: () => {
      live();
      const { primary } = state.stores;
      if (state.info.expiration === undefined) return primary.getRange(range).map(({ value }) => value)[Symbol.iterator]();
      const time = now();
      const { offset = 0, limit = Infinity, ...unpaged } = range;
      const records = primary
        .getRange({ ...unpaged, versions: true })
        .filter((entry) => (entry.version as number) > time)
        .map(({ value }) => value);
      return page(records, offset, limit);
    },
  };
}

function* page<T>(items: Iterable<T>, offset: number, limit: number): Generator<T> {
  if (limit === 0) return;
  let skipped = 0;
  let taken = 0;
  for (const item of items) {
    if (skipped < offset) {
      skipped++;
      continue;
    }
    yield item;
    if (++taken >= limit) return;
  }
}

/** lmdb range options for ScanOptions' direction-independent [start, end) bounds. */
function rangeOf(options: ScanOptions): RangeOptions {
  const { start, end, reverse = false } = options;
  const limit = count(options.limit, "limit");
  const offset = count(options.offset, "offset");
  const lower = start === undefined ? undefined : checkId(start);
  const upper = end === undefined ? undefined : checkId(end);
  if (!reverse) return { start: lower, end: upper, limit, offset };
  // lmdb walks a reverse range from `start` (inclusive) down to `end` (exclusive); flip both
  // bounds so that the same [start, end) set of keys comes back, in descending order.
  return {
    reverse: true,
    start: upper,
    exclusiveStart: upper !== undefined,
    end: lower,
    inclusiveEnd: lower !== undefined,
    limit,
    offset,
  };
}

function count(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    throw new StorageError("INVALID", `'${name}' must be a non-negative integer`);
  }
  return value;
}
