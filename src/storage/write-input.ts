import { StorageError } from "./errors.js";
import { checkId, isPlainRecord } from "./primary-key.js";
import { checkRecordTypes, hasTypeChecks } from "./record-types.js";
import { createdTimeAttribute, updatedTimeAttribute } from "./system-tables.js";
import type { Id, StorageRecord, TableInfo, WriteKind } from "./types.js";
import { validateAttributeName } from "./validate-name.js";

/** One record of a write, checked and copied: what the transaction will store. */
export interface PreparedRecord {
  /** A copy of the caller's record: converted values, no timestamps, no undefined properties. */
  record: StorageRecord;
  /** Its primary key; undefined when the storage is to generate one. */
  id: Id | undefined;
}

/** A write checked before its transaction starts. */
export interface PreparedWrite {
  records: PreparedRecord[];
  /**
   * Dynamic tables only: every distinct top-level key of the records, in first-seen order. Those
   * that are not attributes when the transaction runs become attributes; their names are valid.
   */
  keys: string[];
}

/** Record keys Harper refuses (spec nosql §2.2 step 1). */
const invalidKeys: ReadonlySet<string> = new Set(["", "null", "undefined"]);

/**
 * Checks a write's records against the table before anything is written, in Harper's order (spec
 * nosql §2.2), so that the first failing step answers and a failure writes nothing:
 * 1. an array of objects; no key "", "null" or "undefined" (`Invalid attribute name: ''`, several
 *    joined with ". ");
 * 4. update: every record has a primary key; any kind: the key is not the string "null" or
 *    "undefined";
 * 5. dynamic tables: new attribute names are valid (no `/` or backtick, at most 250 bytes);
 * 6. schema-defined tables: declared types (all messages joined with ". "), with conversions;
 * 7. primary keys are strings or numbers that fit an lmdb key.
 * Client-supplied `__createdtime__`/`__updatedtime__` are dropped. `names` are the table's
 * attribute names (a set, so that the cost follows the records, not the attribute count).
 * Throws StorageError INVALID.
 */
export function prepareWrite(
  kind: WriteKind,
  input: readonly unknown[],
  info: TableInfo,
  names: ReadonlySet<string>,
): PreparedWrite {
  if (!Array.isArray(input)) throw invalid("'records' must be an array");
  input.forEach((record, index) => {
    if (!isPlainRecord(record)) throw invalid(`'records[${index}]' must be of type object`);
  });
  const records = input as readonly StorageRecord[];
  const badKeys = new Set<string>();
  for (const record of records) for (const key of Object.keys(record)) if (invalidKeys.has(key)) badKeys.add(key);
  if (badKeys.size > 0) throw invalid([...badKeys].map((key) => `Invalid attribute name: '${key}'`).join(". "));

  const { primaryKey } = info;
  for (const record of records) {
    const id = record[primaryKey];
    if (kind === "update" && (id === undefined || id === null || id === "")) {
      throw invalid("a valid hash attribute must be provided with update record, check log for more info");
    }
    if (id === "null" || id === "undefined") {
      throw invalid(`Invalid hash value: '${id}' is not a valid hash attribute value, check log for more info`);
    }
  }

  const keys: string[] = [];
  if (!info.schemaDefined) {
    const seen = new Set<string>();
    for (const record of records) {
      for (const key of Object.keys(record)) {
        if (seen.has(key)) continue;
        seen.add(key);
        keys.push(names.has(key) ? key : validateAttributeName(key));
      }
    }
  }

  const copies = records.map(copyRecord);
  if (info.schemaDefined && hasTypeChecks(info)) {
    const errors: string[] = [];
    for (const copy of copies) checkRecordTypes(info, copy, errors);
    if (errors.length > 0) throw invalid(errors.join(". "));
  }

  return {
    records: copies.map((record) => {
      const id = record[primaryKey];
      return { record, id: id === undefined || id === null ? undefined : checkId(id) };
    }),
    keys,
  };
}

function copyRecord(record: StorageRecord): StorageRecord {
  const copy: StorageRecord = {};
  for (const key of Object.keys(record)) {
    if (key === createdTimeAttribute || key === updatedTimeAttribute) continue; // spec nosql §1.2
    const value = record[key];
    if (value !== undefined) copy[key] = value;
  }
  return copy;
}

function invalid(message: string): StorageError {
  return new StorageError("INVALID", message);
}
