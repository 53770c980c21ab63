import type { Key } from "lmdb";
import type { IndexStore } from "./database-env.js";
import type { Id, StorageRecord } from "./types.js";

/**
 * Longest string kept whole in an index key, in UTF-8 bytes. lmdb keys hold at most 1978 bytes;
 * longer strings are indexed by their first 1000 bytes and told apart by reading the record
 * (index-reader.ts). Composite keys (nested arrays) that do not fit are not indexed.
 */
export const maxIndexStringBytes = 1000;

/**
 * The index keys of one attribute value, in lmdb's ordered-binary order (null < false < true <
 * numbers < strings, spec nosql §1.5):
 * - null, booleans, numbers (not NaN), bigints and strings index as themselves (long strings
 *   truncated, see maxIndexStringBytes);
 * - a Date indexes as its epoch milliseconds, so Dates sort among numbers;
 * - an array indexes once per element (duplicates once); an element that is itself an array of
 *   such values indexes as one composite key;
 * - objects, byte arrays, undefined and empty arrays are not indexed: a record whose value is an
 *   object is found by scans, never by the index.
 */
export function indexKeysOf(value: unknown): Key[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    const key = scalarKey(value);
    return key === undefined ? [] : [key];
  }
  const keys: Key[] = [];
  for (const element of value as unknown[]) {
    const key = Array.isArray(element) ? compositeKey(element) : scalarKey(element);
    if (key !== undefined && !keys.some((other) => sameKey(other, key))) keys.push(key);
  }
  return keys;
}

/**
 * Normalises a search bound like a stored value (Date -> number, long string truncated). Returns
 * undefined for values that cannot be index keys (objects).
 */
export function indexBoundOf(value: unknown): Key | undefined {
  return Array.isArray(value) ? compositeKey(value) : scalarKey(value);
}

/** Whether an index key may be a truncated string (index-reader.ts then reads the record). */
export function isPossiblyTruncated(key: unknown): key is string {
  return typeof key === "string" && key.length * 3 >= maxIndexStringBytes - 3 && Buffer.byteLength(key) >= maxIndexStringBytes - 3;
}

/** A string cut to at most maxIndexStringBytes UTF-8 bytes, on a character boundary. */
export function truncateString(value: string): string {
  if (value.length * 3 <= maxIndexStringBytes) return value;
  const bytes = Buffer.from(value, "utf8");
  if (bytes.length <= maxIndexStringBytes) return value;
  let end = maxIndexStringBytes;
  while (end > 0 && ((bytes[end] as number) & 0xc0) === 0x80) end--; // not inside a UTF-8 sequence
  return bytes.subarray(0, end).toString("utf8");
}

/**
 * Brings the indexes of one record up to date inside a write transaction: for every property of
 * the old or new record that has an index and whose value changed, the old keys are removed and
 * the new ones added. The cost follows the record's properties, never the table's attribute count.
 * `prev`/`next` undefined mean no record (insert / delete).
 */
export function updateIndexes(
  indexOf: (attribute: string) => IndexStore | undefined,
  id: Id,
  prev: StorageRecord | undefined,
  next: StorageRecord | undefined,
): void {
  if (prev) for (const attribute of Object.keys(prev)) updateOne(indexOf(attribute), id, prev[attribute], next?.[attribute]);
  if (next) {
    for (const attribute of Object.keys(next)) {
      if (prev && Object.hasOwn(prev, attribute)) continue; // done above
      updateOne(indexOf(attribute), id, undefined, next[attribute]);
    }
  }
}

function updateOne(index: IndexStore | undefined, id: Id, before: unknown, after: unknown): void {
  if (!index) return;
  if (before === after && (before === null || typeof before !== "object")) return;
  const removed = indexKeysOf(before);
  const added = indexKeysOf(after);
  if (removed.length === added.length && removed.every((key, i) => sameKey(key, added[i] as Key))) return;
  for (const key of removed) if (!added.some((other) => sameKey(other, key))) void index.remove(key, id);
  for (const key of added) if (!removed.some((other) => sameKey(other, key))) void index.put(key, id);
}

function scalarKey(value: unknown): Key | undefined {
  switch (typeof value) {
    case "string":
      return truncateString(value);
    case "number":
      return Number.isNaN(value) ? undefined : value;
    case "boolean":
      return value;
    case "bigint":
      return value as unknown as Key; // ordered-binary orders bigints among numbers
    case "object":
      if (value === null) return null as unknown as Key;
      if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.getTime();
      return undefined;
    default:
      return undefined;
  }
}

function compositeKey(values: readonly unknown[]): Key | undefined {
  if (values.length === 0) return undefined;
  const parts: Key[] = [];
  let bytes = 0;
  for (const value of values) {
    const part = typeof value === "string" ? value : scalarKey(value);
    if (part === undefined || typeof part === "bigint") return undefined;
    // ordered-binary: a string's UTF-8 bytes, at most 9 bytes for other scalars, 1 separator byte.
    bytes += (typeof part === "string" ? Buffer.byteLength(part) : 9) + 1;
    parts.push(part);
  }
  return bytes <= maxIndexStringBytes ? parts : undefined;
}

function sameKey(a: Key, b: Key): boolean {
  if (a === b) return true;
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
  return a.every((part, i) => part === b[i]);
}
