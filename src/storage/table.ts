import type { Database, RootDatabase } from "lmdb";
import { StorageError } from "./storage-error.js";

/** A primary key value: Harper keys are strings or numbers. */
export type Id = string | number;

/** A stored record: a plain object. */
export type StoredRecord = Record<string, unknown>;

/** One attribute of a table as the catalog records it. */
export interface AttributeInfo {
  readonly name: string;
  readonly indexed: boolean;
}

/** A table as the catalog records it. */
export interface TableInfo {
  readonly name: string;
  readonly database: string;
  readonly primaryKey: string;
  readonly attributes: readonly AttributeInfo[];
  readonly audit: boolean;
  readonly createdTime: number;
}

/** Range options of a scan in primary-key order. */
export interface ScanOptions {
  start?: Id;
  end?: Id;
  limit?: number;
  offset?: number;
  reverse?: boolean;
}

/** A table: synchronous reads, asynchronous writes acknowledged once committed to disk. */
export interface Table {
  readonly info: TableInfo;
  get(id: Id): StoredRecord | undefined;
  getMany(ids: readonly Id[]): Array<StoredRecord | undefined>;
  /** Writes one record (replacing it), stamping the timestamps. */
  put(record: StoredRecord): Promise<void>;
  /** Writes records in one transaction: all or nothing. */
  putMany(records: readonly StoredRecord[]): Promise<void>;
  /** Creates records whose key does not exist yet; the others are skipped. */
  insert(records: readonly StoredRecord[]): Promise<{ inserted: Id[]; skipped: Id[] }>;
  /** Deletes records by key; returns the keys that existed. */
  delete(ids: readonly Id[]): Promise<Id[]>;
  /** Records in primary-key order, lazily. */
  scan(options?: ScanOptions): Iterable<StoredRecord>;
  count(): number;
}

/** The current time as Harper stamps it: epoch milliseconds, fractional. */
export function timestamp(): number {
  return performance.timeOrigin + performance.now();
}

/** Creates the Table over its LMDB store. */
export function createTable(root: RootDatabase, store: Database<StoredRecord, Id>, info: TableInfo): Table {
  const keyOf = (record: StoredRecord): Id => {
    const id = record[info.primaryKey];
    if (typeof id !== "string" && typeof id !== "number") {
      throw new StorageError("INVALID", `Record is missing its primary key '${info.primaryKey}' or it is not a string or number`);
    }
    return id;
  };
  const stamp = (record: StoredRecord, now: number, existing: StoredRecord | undefined): StoredRecord => ({
    ...record,
    __createdtime__: existing?.["__createdtime__"] ?? now,
    __updatedtime__: now,
  });
  const table: Table = {
    info,
    get: (id) => store.get(id),
    getMany: (ids) => ids.map((id) => store.get(id)),
    put: (record) => table.putMany([record]),
    async putMany(records) {
      const keys = records.map(keyOf); // validate everything before writing anything
      const now = timestamp();
      await root.transaction(() => {
        records.forEach((record, i) => {
          const id = keys[i]!;
          store.put(id, stamp(record, now, store.get(id)));
        });
      });
    },
    async insert(records) {
      const keys = records.map(keyOf);
      const now = timestamp();
      return root.transaction(() => {
        const inserted: Id[] = [];
        const skipped: Id[] = [];
        records.forEach((record, i) => {
          const id = keys[i]!;
          if (store.doesExist(id)) {
            skipped.push(id);
          } else {
            store.put(id, stamp(record, now, undefined));
            inserted.push(id);
          }
        });
        return { inserted, skipped };
      });
    },
    async delete(ids) {
      return root.transaction(() => {
        const deleted: Id[] = [];
        for (const id of ids) {
          if (store.doesExist(id)) {
            store.remove(id);
            deleted.push(id);
          }
        }
        return deleted;
      });
    },
    scan(options = {}) {
      return store
        .getRange({
          start: options.start,
          end: options.end,
          reverse: options.reverse,
          limit: options.limit,
          offset: options.offset,
        })
        .map(({ value }) => value);
    },
    count: () => store.getCount(),
  };
  return table;
}
