import type { Clock } from "./clock.js";
import type { DatabaseEnv, TableState } from "./database-env.js";
import { StorageError, tableNotFound } from "./errors.js";
import { checkId, recordIds } from "./primary-key.js";
import { createdTimeAttribute, updatedTimeAttribute } from "./system-tables.js";
import type { Id, InsertResult, ScanOptions, StorageRecord, TableInfo } from "./types.js";
import { writeTransaction } from "./write-transaction.js";

/**
 * One table: synchronous reads, asynchronous writes that resolve once committed to disk. Every
 * write call is one transaction stamped with one timestamp, and it is all or nothing: input is
 * checked before anything is written, and a failure inside the transaction rolls it back.
 * Once the table (or its database) is dropped, every call throws StorageError NOT_FOUND; once the
 * storage is closed, CLOSED.
 */
export interface Table {
  /** The catalog's description of the table. */
  readonly info: TableInfo;
  /** The record with this primary key, or undefined. Throws INVALID for a key of a wrong type. */
  get(id: Id): StorageRecord | undefined;
  /** The records with these keys, in the same order, undefined where absent. */
  getMany(ids: readonly Id[]): Array<StorageRecord | undefined>;
  /**
   * Writes a record under its primary key, replacing any record with that key. Throws INVALID
   * when it is not an object or has no valid primary key.
   */
  put(record: StorageRecord): Promise<void>;
  /** Writes records in one transaction: all of them, or (on any bad record) none. */
  putMany(records: readonly StorageRecord[]): Promise<void>;
  /**
   * Writes the records whose keys do not exist yet (a conditional put, checked inside the
   * transaction); the others, and repeats of a key within the request, are skipped untouched.
   */
  insert(records: readonly StorageRecord[]): Promise<InsertResult>;
  /** Deletes the records with these keys; resolves with the keys that existed, in request order. */
  delete(ids: readonly Id[]): Promise<Id[]>;
  /**
   * The records in primary key order (see ScanOptions), read lazily from one snapshot as the
   * iterable is consumed: `limit` and `offset` never load the table. Iterable more than once.
   */
  scan(options?: ScanOptions): Iterable<StorageRecord>;
  /** The number of records. */
  count(): number;
}

/** Which timestamps a table's writes set, from its attribute list (spec nosql §1.2). */
interface Stamps {
  created: boolean;
  updated: boolean;
}

/** Creates the handle through which callers use one open table. */
export function createTableHandle(env: DatabaseEnv, state: TableState, clock: Clock): Table {
  const { store } = state;
  const names = new Set(state.info.attributes.map((attribute) => attribute.name));
  const stamps: Stamps = { created: names.has(createdTimeAttribute), updated: names.has(updatedTimeAttribute) };
  const live = (): void => {
    if (env.closed) throw new StorageError("CLOSED", "the storage is closed");
    if (state.dropped || env.dropped) throw tableNotFound(env.name, state.info.name);
  };
  const write = <T>(work: (now: number) => T, doing: string): Promise<T> => {
    live();
    return writeTransaction(
      env.root,
      () => {
        live(); // dropped while this write waited for its turn
        return work(clock());
      },
      `${doing} in '${env.name}.${state.info.name}'`,
    );
  };
  const putAll = async (records: readonly StorageRecord[]): Promise<void> => {
    const ids = recordIds(records, state.info.primaryKey);
    const copies = records.map((record) => ({ ...record })); // later changes by the caller don't leak in
    await write((now) => {
      copies.forEach((record, index) => {
        const id = ids[index] as Id;
        const previous = stamps.created ? store.get(id) : undefined;
        void store.put(id, stamp(record, now, stamps, previous));
      });
    }, "put");
  };

  return {
    get info() {
      return state.info;
    },
    get(id) {
      live();
      return store.get(checkId(id));
    },
    getMany(ids) {
      live();
      return checkIds(ids).map((id) => store.get(id));
    },
    put: (record) => putAll([record]),
    putMany: putAll,
    async insert(records) {
      const ids = recordIds(records, state.info.primaryKey);
      const copies = records.map((record) => ({ ...record }));
      return write((now) => {
        const result: InsertResult = { inserted: [], skipped: [] };
        copies.forEach((record, index) => {
          const id = ids[index] as Id;
          // Read inside the write transaction: sees earlier records of this same request too.
          if (store.doesExist(id)) {
            result.skipped.push(id);
          } else {
            void store.put(id, stamp(record, now, stamps, undefined));
            result.inserted.push(id);
          }
        });
        return result;
      }, "insert");
    },
    async delete(ids) {
      const keys = checkIds(ids);
      return write(() => {
        const deleted: Id[] = [];
        for (const id of keys) {
          if (!store.doesExist(id)) continue;
          void store.remove(id);
          deleted.push(id);
        }
        return deleted;
      }, "delete");
    },
    scan(options = {}) {
      const range = rangeOf(options);
      return {
        [Symbol.iterator]: () => {
          live();
          return store.getRange(range).map(({ value }) => value)[Symbol.iterator]();
        },
      };
    },
    count() {
      live();
      return (store.getStats() as { entryCount: number }).entryCount;
    },
  };
}

/** Sets the table's timestamps on a (copied) record; a stored `__createdtime__` is kept. */
function stamp(stamped: StorageRecord, now: number, stamps: Stamps, previous: StorageRecord | undefined): StorageRecord {
  if (stamps.created) {
    const created = previous?.[createdTimeAttribute];
    stamped[createdTimeAttribute] = typeof created === "number" ? created : now;
  }
  if (stamps.updated) stamped[updatedTimeAttribute] = now;
  return stamped;
}

function checkIds(ids: readonly unknown[]): Id[] {
  if (!Array.isArray(ids)) throw new StorageError("INVALID", "'ids' must be an array");
  return ids.map(checkId);
}

/** lmdb range options for ScanOptions' direction-independent [start, end) bounds. */
function rangeOf(options: ScanOptions) {
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
