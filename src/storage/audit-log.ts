import type { Database } from "lmdb";
import { StorageError } from "./errors.js";
import { checkId } from "./primary-key.js";
import { keyOf } from "./record-writer.js";
import type { LogEntry, LogQuery } from "./types.js";

/**
 * Reading and trimming a table's audit log. Entries are appended by record-writer.ts inside the
 * write's own transaction, one per committed write call of an audited table, keyed by the call's
 * timestamp (unique: the storage clock never repeats), so the store is in commit order.
 */

/**
 * The entries matching a query, oldest first (newest first with `reverse`), read lazily from one
 * snapshot as the iterable is consumed. `from`/`to` are inclusive; `ids` keeps entries that touched
 * one of the keys; `limit` counts entries after filtering.
 */
export function readLog(log: Database<LogEntry, number>, query: LogQuery = {}): Iterable<LogEntry> {
  const from = optionalNumber(query.from, "from");
  const to = optionalNumber(query.to, "to");
  const limit = query.limit ?? Infinity;
  if (limit !== Infinity && (typeof limit !== "number" || !Number.isInteger(limit) || limit < 0)) {
    throw new StorageError("INVALID", "'limit' must be a non-negative integer");
  }
  const wanted = query.ids === undefined ? undefined : new Set(query.ids.map((id) => keyOf(checkId(id))));
  const user = query.user;
  const range = query.reverse
    ? { reverse: true, start: to, end: from, inclusiveEnd: from !== undefined }
    : { start: from, end: to, inclusiveEnd: to !== undefined };
  return {
    *[Symbol.iterator]() {
      if (limit === 0) return;
      let count = 0;
      for (const { value: entry } of log.getRange(range)) {
        if (user !== undefined && entry.user !== user) continue;
        if (wanted && !entry.hash_values.some((id) => wanted.has(keyOf(id)))) continue;
        yield entry;
        if (++count >= limit) return;
      }
    },
  };
}

/** Removes the entries older than `before` (exclusive) inside a write transaction; returns how many. */
export function purgeLogEntries(log: Database<LogEntry, number>, before: number): number {
  const keys = Array.from(log.getKeys({ end: before }));
  for (const key of keys) void log.remove(key);
  return keys.length;
}

/** The newest entry's timestamp, or undefined for an empty log. */
export function lastLogTimestamp(log: Database<LogEntry, number>): number | undefined {
  for (const key of log.getKeys({ reverse: true, limit: 1 })) return key;
  return undefined;
}

/** Checks purgeLog's argument. */
export function checkTimestamp(value: unknown, name: string): number {
  const checked = optionalNumber(value, name);
  if (checked === undefined) throw new StorageError("INVALID", `'${name}' is required`);
  return checked;
}

function optionalNumber(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || Number.isNaN(value)) throw new StorageError("INVALID", `'${name}' must be a number`);
  return value;
}
