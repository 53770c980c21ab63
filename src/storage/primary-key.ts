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
 * Checks a batch of records before anything is written: each must be a plain object carrying a
 * valid primary key under `primaryKey`. Returns the keys in record order; throws StorageError
 * INVALID naming the first bad record, so that a batch is written whole or not at all.
 */
export function recordIds(records: readonly unknown[], primaryKey: string): Id[] {
  if (!Array.isArray(records)) throw new StorageError("INVALID", "'records' must be an array");
  return records.map((record, index) => {
    if (!isPlainRecord(record)) {
      throw new StorageError("INVALID", `'records[${index}]' must be of type object`);
    }
    const value = record[primaryKey];
    if (value === undefined || value === null) {
      throw new StorageError("INVALID", `'records[${index}]' has no primary key '${primaryKey}'`);
    }
    return checkId(value);
  });
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
