import { addAttribute, checkDroppable, dropAttribute } from "./attribute-changes.js";
import { checkTimestamp, purgeLogEntries, readLog } from "./audit-log.js";
import { withAttributes } from "./catalog.js";
import type { Clock } from "./clock.js";
import type { DatabaseEnv, IndexStore, TableState } from "./database-env.js";
import { indexStoreOf, reloadTableInfo, setTableInfo } from "./database-env.js";
import { StorageError, tableNotFound } from "./errors.js";
import { sweepExpired } from "./expiry.js";
import { createIndexReader } from "./index-reader.js";
import type { IndexReader } from "./index-reader.js";
import { checkId } from "./primary-key.js";
import { deleteRecords, writeRecords } from "./record-writer.js";
import type { WriteScope } from "./record-writer.js";
import { scanRecords } from "./scan-records.js";
import { tableStats } from "./table-stats.js";
import type {
  Id,
  LogEntry,
  LogQuery,
  ScanOptions,
  StorageRecord,
  TableInfo,
  TableStats,
  WriteContext,
  WriteKind,
  WriteResult,
} from "./types.js";
import { validateAttributeName } from "./validate-name.js";
import { runQuery } from "./query/index.js";
import type { Query } from "./query/index.js";
import { prepareWrite } from "./write-input.js";
import { writeTransaction } from "./write-transaction.js";

/**
 * One table: synchronous reads, asynchronous writes that resolve once committed to disk. Every
 * write call is one transaction stamped with one timestamp, and it is all or nothing: input is
 * checked before anything is written, and a failure inside the transaction rolls it back.
 * Once the table (or its database) is dropped, every call throws StorageError NOT_FOUND; once the
 * storage is closed, CLOSED. It is also the query engine's data source (IndexReader).
 */
export interface Table extends IndexReader {
  /** The catalog's description of the table. */
  readonly info: TableInfo;
  /** The live record with this primary key, or undefined. Throws INVALID for a key of a wrong type. */
  get(id: Id): StorageRecord | undefined;
  /** The records with these keys, in the same order, undefined where absent. */
  getMany(ids: readonly Id[]): Array<StorageRecord | undefined>;
  /**
   * Writes records with Harper's semantics (spec nosql §1.2-§1.4, §2.2-§2.3): `insert` skips
   * existing keys, `update` merges into existing records and skips absent ones, `upsert` merges
   * or creates; keys repeated in the call are skipped; missing keys are generated; dynamic tables
   * gain an indexed attribute per new top-level key. One transaction: any failure writes nothing.
   * Resolves, once durable, with the written and skipped keys in request order.
   */
  write(kind: WriteKind, records: readonly StorageRecord[], context?: WriteContext): Promise<WriteResult>;
  /** Deletes records; resolves with the keys that existed, in request order. */
  deleteRecords(ids: readonly Id[], context?: WriteContext): Promise<Id[]>;
  /** Writes one record like a single-record upsert (kept for the system tables' callers). */
  put(record: StorageRecord): Promise<void>;
  /**
   * The live records in primary key order (see ScanOptions), read lazily from one snapshot as the
   * iterable is consumed: `limit` and `offset` never load the table. Iterable more than once.
   */
  scan(options?: ScanOptions): Iterable<StorageRecord>;
  /** The number of stored records (lmdb's entry count; expired records not yet swept included). */
  count(): number;
  /**
   * Adds an attribute (indexed unless `indexed: false`), indexing the records already stored.
   * INVALID for a bad name or an existing attribute.
   */
  addAttribute(name: string, options?: { indexed?: boolean }): Promise<void>;
  /**
   * Drops an attribute and its index; on a dynamic table also deletes the property from every
   * record. INVALID for the primary key and the timestamps; a missing attribute is no error.
   */
  dropAttribute(name: string): Promise<void>;
  /** The audit log entries matching a query (see LogQuery), lazily. Empty when audit is off. */
  readLog(query?: LogQuery): Iterable<LogEntry>;
  /** Deletes the audit log entries older than `before` (ms); resolves with how many. */
  purgeLog(before: number): Promise<number>;
  /** Counts and sizes read from lmdb's statistics (see TableStats). */
  stats(): TableStats;
  /** Removes the expired records from the disk; resolves with how many. 0 without expiration. */
  sweepExpired(): Promise<number>;
  /**
   * The records a query selects (conditions, sort, paging; spec nosql §6-§7), by the query engine
   * over this table's indexes, lazily. Throws QueryError for a bad query.
   */
  search(query?: Query): Iterable<StorageRecord>;
}

/** The write kinds Table.write accepts. */
const writeKinds: ReadonlySet<string> = new Set(["insert", "update", "upsert"]);

/** Creates the handle through which callers use one open table. */
export function createTableHandle(env: DatabaseEnv, state: TableState, clock: Clock): Table {
  const live = (): void => {
    if (env.closed) throw new StorageError("CLOSED", "the storage is closed");
    if (state.dropped || env.dropped) throw tableNotFound(env.name, state.info.name);
  };
  const where = () => `'${env.name}.${state.info.name}'`;
  /** Runs `work` as one durable transaction, with the call's timestamp taken inside it. */
  const transact = <T>(work: (now: number) => T, doing: string): Promise<T> => {
    live();
    return writeTransaction(
      env.root,
      () => {
        live(); // dropped while this write waited for its turn
        return work(clock());
      },
      `${doing} in ${where()}`,
      () => reloadTableInfo(env, state),
    );
  };
  const scopeOf = (now: number, extra?: ReadonlyMap<string, IndexStore>): WriteScope => ({
    state,
    now,
    indexOf: extra ? (attribute) => state.indexes.get(attribute) ?? extra.get(attribute) : (attribute) => state.indexes.get(attribute),
  });
  const reader = createIndexReader(state, live, clock.current);

  const handle: Table = {
    ...reader,
    get info() {
      return state.info;
    },
    get(id) {
      return reader.get(checkId(id));
    },
    getMany(ids) {
      live();
      return checkIds(ids).map((id) => reader.get(id));
    },
    async write(kind, records, context = {}) {
      live();
      if (!writeKinds.has(kind)) throw new StorageError("INVALID", `unknown write kind '${String(kind)}'`);
      const prepared = prepareWrite(kind, records, state.info, state.names);
      // lmdb opens stores in a transaction of its own: open (once) the index of every key that
      // could become an attribute when the transaction runs, the primary key aside.
      for (const key of prepared.keys) {
        if (!state.indexes.has(key) && key !== state.info.primaryKey) indexStoreOf(env, state, key);
      }
      return transact((now) => {
        // Against the attributes as they are now: an earlier write of the batch may have added
        // some, an earlier dropAttribute removed some.
        const added = prepared.keys.filter((key) => !state.names.has(key));
        if (added.length === 0) return writeRecords(scopeOf(now), kind, prepared.records, context.user);
        const info = withAttributes(state.info, added.map((name) => ({ name, indexed: true })));
        env.catalog.write(info);
        const fresh = new Map(added.map((name) => [name, state.opened.get(name) as IndexStore]));
        const result = writeRecords(scopeOf(now, fresh), kind, prepared.records, context.user);
        setTableInfo(state, info);
        return result;
      }, kind);
    },
    async deleteRecords(ids, context = {}) {
      const keys = checkIds(ids);
      return transact((now) => deleteRecords(scopeOf(now), keys, context.user), "delete");
    },
    async put(record) {
      await handle.write("upsert", [record]);
    },
    scan(options = {}) {
      return scanRecords(state, options, live, clock.current);
    },
    count() {
      live();
      return (state.stores.primary.getStats() as { entryCount: number }).entryCount;
    },
    async addAttribute(name, options = {}) {
      live();
      validateAttributeName(name);
      const indexed = options.indexed ?? true;
      if (indexed) indexStoreOf(env, state, name);
      await transact(() => addAttribute(env, state, name, indexed), `adding attribute '${name}'`);
    },
    async dropAttribute(name) {
      live();
      checkDroppable(state.info, name);
      await transact(() => dropAttribute(env, state, name), `dropping attribute '${name}'`);
    },
    readLog(query) {
      live();
      return readLog(state.stores.log, query);
    },
    async purgeLog(before) {
      const limit = checkTimestamp(before, "before");
      return transact(() => purgeLogEntries(state.stores.log, limit), "purging the audit log");
    },
    stats() {
      live();
      return tableStats(env, state);
    },
    search(query) {
      live();
      return runQuery(handle, query);
    },
    async sweepExpired() {
      if (state.info.expiration === undefined) return 0;
      let total = 0;
      for (let more = true; more; ) {
        const step = await transact((now) => sweepExpired(scopeOf(now)), "removing expired records");
        total += step.removed;
        more = step.more;
      }
      return total;
    },
  };
  return handle;
}

function checkIds(ids: readonly unknown[]): Id[] {
  if (!Array.isArray(ids)) throw new StorageError("INVALID", "'ids' must be an array");
  return ids.map(checkId);
}
