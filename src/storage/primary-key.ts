import { randomUUID } from "node:crypto";
import { StorageError } from "./errors.js";
import type { Id, StorageRecord } from "./types.js";

/** lmdb-js's largest key, in encoded bytes (its default `maxKeySize`; Harper's limit too). */
export const maxKeyBytes = 1978;

/**
 * Checks that a value can be a primary key and returns it as an Id: a finite number, or a string
 * whose ordered-binary encoding fits an lmdb key. Throws StorageError INVALID with Harper's text:
 * `Invalid primary key type: boolean`, `Primary key size is too large: 2001`.
 */
export function checkId(value: unknown): Id {
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new StorageError("INVALID", `Invalid primary key: ${value}`);
    return value;
  }
  if (typeof value !== "string") {
    throw new StorageError("INVALID", `Invalid primary key type: ${typeName(value)}`);
  }
  const size = encodedSize(value);
  if (size > maxKeyBytes) throw new StorageError("INVALID", `Primary key size is too large: ${size}`);
  return value;
}

/**
 * A primary key the storage generates when a record to insert or upsert has none (spec nosql
 * §1.3): a UUID v4 when the key is declared `String` or `ID`, else the next value of a per-table
 * counter kept in the table's meta store. The counter starts at a random point (0..2^49, or
 * 0..2^31 for `Int`), counts up by one and skips keys in use; it is written in the same
 * transaction as the records, so a committed value is never handed out again.
 * Call inside a write transaction.
 */
export function generateId(
  type: string | undefined,
  meta: { get(key: string): number | undefined; put(key: string, value: number): unknown },
  exists: (id: Id) => boolean,
): Id {
  if (type === "String" || type === "ID") return randomUUID();
  let next = meta.get(nextIdKey) ?? randomStart(type === "Int" ? 31 : 49);
  while (exists(next)) next++;
  void meta.put(nextIdKey, next + 1);
  return next;
}

/** The meta store key of the key generator's next value. */
export const nextIdKey = "nextId";

function randomStart(bits: number): number {
  const [high, low] = crypto.getRandomValues(new Uint32Array(2)) as unknown as [number, number];
  // (bits - 32) random high bits above 32 random low bits: uniform in 0 .. 2^bits - 1.
  return bits <= 32 ? low % 2 ** bits : (high % 2 ** (bits - 32)) * 2 ** 32 + low;
}

/** True for a non-null, non-array object. */
export function isPlainRecord(value: unknown): value is StorageRecord {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Bytes of ordered-binary's string encoding: the UTF-8 bytes, plus one prefix byte when the first
 * character is below 28 (those codes are ordered-binary's type tags).
 */
function encodedSize(value: string): number {
  const prefix = value.length > 0 && value.charCodeAt(0) < 28 ? 1 : 0;
  return Buffer.byteLength(value, "utf8") + prefix;
}

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}
