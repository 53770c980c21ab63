import { closeSync, fsyncSync, openSync, rmSync } from "node:fs";
import { open } from "lmdb";
import type { Database, Key, RootDatabase } from "lmdb";
import { openCatalog } from "./catalog.js";
import type { Catalog } from "./catalog.js";
import { StorageError, toStorageError } from "./errors.js";
import { expiryStoreName, indexStoreName, isDupSortStore, logStoreName, metaStoreName, primaryStoreName } from "./store-names.js";
import type { Id, LogEntry, StorageRecord, TableInfo } from "./types.js";

/**
 * Named stores one environment may hold: the two catalog stores and, per table, a primary store,
 * a log store, a meta store, an expiry store (tables with `expiration`) and one store per indexed
 * attribute. LMDB fixes this when the environment is opened (each write transaction allocates
 * about 60 bytes per slot) and it can be raised on a later open.
 */
export const maxDbs = 10_000;

/** File name suffix of a database environment: `<root>/database/<name>.mdb`. */
export const databaseFileSuffix = ".mdb";

/** A secondary index: dupSort, index value (ordered-binary) -> primary key (ordered-binary). */
export type IndexStore = Database<Id, Key>;

/** The stores every table has, whatever its attributes. */
export interface TableStores {
  /** Primary key -> record. On tables with `expiration` each entry's lmdb version is its expiry time. */
  readonly primary: Database<StorageRecord, Id>;
  /** The audit log: write timestamp -> LogEntry. */
  readonly log: Database<LogEntry, number>;
  /** `nextId` (key generator counter) and `lastUpdated` (newest record write). */
  readonly meta: Database<number, string>;
  /** Expiry time -> primary key, on tables with `expiration` only. */
  readonly expiry?: Database<Id, number>;
}

/** An open table. `dropped` turns every handle on it into NOT_FOUND. */
export interface TableState {
  /** The catalog's description; replaced (never mutated) by schema changes. */
  info: TableInfo;
  /** Names of info.attributes, for O(1) membership checks on the write path. */
  names: Set<string>;
  readonly stores: TableStores;
  /** The index store of every indexed attribute (the primary key has none). */
  readonly indexes: Map<string, IndexStore>;
  /**
   * Every index store opened for this table, by attribute, dropped attributes' (emptied) stores
   * included: lmdb opens stores in a transaction of their own, so writes open them beforehand
   * and transactions take them from here.
   */
  readonly opened: Map<string, IndexStore>;
  dropped: boolean;
}

/** One open database: its LMDB environment, its catalog and its open tables. */
export interface DatabaseEnv {
  readonly name: string;
  /** The environment's data file; lmdb keeps its lock file at `<file>-lock`. */
  readonly file: string;
  readonly root: RootDatabase;
  readonly catalog: Catalog;
  /** Open tables by name, in creation order once loaded. */
  readonly tables: Map<string, TableState>;
  /** Set when the database is dropped: its tables answer NOT_FOUND. */
  dropped: boolean;
  /** Set when the storage is closed: its tables answer CLOSED. */
  closed: boolean;
}

/**
 * Opens (creating when missing) the LMDB environment of one database and loads its catalog.
 *
 * Settings, and why:
 * - `overlappingSync: false`: every commit, sync or async, ends with LMDB's own fsync before lmdb
 *   resolves it, so a resolved write is on disk. (lmdb's Linux default, overlapping sync, resolves
 *   a commit before it is flushed.) `noSync` and `noMetaSync` stay off.
 * - `compression: true`: values above lmdb's threshold (1000 bytes) are LZ4-compressed, as Harper
 *   does; small records are stored as they are.
 * - file-per-database (`noSubdir` follows from the `.mdb` extension), msgpack values, ordered-binary
 *   keys, no cache: a cached store would hand out shared objects that a caller could mutate.
 */
export function openDatabaseEnv(name: string, file: string, now: number): DatabaseEnv {
  let root: RootDatabase | undefined;
  try {
    root = open({ path: file, maxDbs, overlappingSync: false, compression: true, noSync: false });
    const catalog = openCatalog(root, name, now);
    const env: DatabaseEnv = { name, file, root, catalog, tables: new Map(), dropped: false, closed: false };
    const infos = catalog.read().sort((a, b) => a.createdTime - b.createdTime);
    for (const info of infos) env.tables.set(info.name, openTableState(env, info));
    return env;
  } catch (error) {
    void root?.close();
    throw toStorageError(error, `opening database '${name}'`);
  }
}

/** Opens (creating when missing) every store of a table. */
export function openTableState(env: DatabaseEnv, info: TableInfo): TableState {
  const { root } = env;
  const expiring = info.expiration !== undefined;
  const stores: TableStores = {
    // Versions hold the expiry time; lmdb cannot combine them with dupSort, which is not needed here.
    primary: root.openDB({
      name: primaryStoreName(info.name),
      encoding: "msgpack",
      keyEncoding: "ordered-binary",
      useVersions: expiring,
    }),
    log: root.openDB({ name: logStoreName(info.name), keyEncoding: "ordered-binary" }),
    meta: root.openDB({ name: metaStoreName(info.name), keyEncoding: "ordered-binary" }),
    ...(expiring ? { expiry: openDupSortStore(root, expiryStoreName(info.name)) as Database<Id, number> } : {}),
  };
  const state: TableState = { info, names: new Set(), stores, indexes: new Map(), opened: new Map(), dropped: false };
  for (const attribute of indexedAttributes(info)) indexStoreOf(env, state, attribute);
  setTableInfo(state, info);
  return state;
}

/**
 * The index store of one attribute, opened (and created when missing) on first use and cached in
 * `state.opened`. Opening starts a transaction: never call this inside one for a new name.
 */
export function indexStoreOf(env: DatabaseEnv, state: TableState, attribute: string): IndexStore {
  let store = state.opened.get(attribute);
  if (store) return store;
  try {
    store = openDupSortStore(env.root, indexStoreName(state.info.name, attribute));
  } catch (error) {
    throw toStorageError(error, `opening the index of '${attribute}'`); // MDB_DBS_FULL: raise maxDbs
  }
  state.opened.set(attribute, store);
  return store;
}

/**
 * Opens any store of a table's prefix by name with the flags it was created with (used to drop
 * them all, orphans included).
 */
export function openTableStore(env: DatabaseEnv, table: string, name: string): Database {
  return isDupSortStore(table, name) ? openDupSortStore(env.root, name) : env.root.openDB({ name });
}

/**
 * Installs a new description of a table in memory: attribute names, and the index stores of the
 * indexed attributes (from `state.opened`, where they must be); stores of attributes no longer
 * indexed are forgotten. Safe inside a transaction.
 */
export function setTableInfo(state: TableState, info: TableInfo): void {
  const indexed = indexedAttributes(info);
  for (const name of indexed) {
    if (!state.opened.has(name)) throw new StorageError("INTERNAL", `the index of '${name}' is not open`);
  }
  state.info = info;
  state.names = new Set(info.attributes.map((attribute) => attribute.name));
  state.indexes.clear();
  for (const name of indexed) state.indexes.set(name, state.opened.get(name) as IndexStore);
}

/**
 * Reloads a table's description from the catalog on disk, after a commit failed: the in-memory
 * changes made by the transaction's callbacks then never reached the disk. Not inside a
 * transaction.
 */
export function reloadTableInfo(env: DatabaseEnv, state: TableState): void {
  const info = env.catalog.read().find((entry) => entry.name === state.info.name);
  if (!info) return;
  for (const attribute of indexedAttributes(info)) indexStoreOf(env, state, attribute);
  setTableInfo(state, info);
}

/** Names of the attributes with a secondary index. */
function indexedAttributes(info: TableInfo): string[] {
  return info.attributes.filter((a) => a.indexed && a.name !== info.primaryKey).map((a) => a.name);
}

/**
 * Deletes a closed database environment from disk: its data file and the `-lock` file lmdb keeps
 * beside it. Missing files are not an error.
 */
export function removeDatabaseFiles(file: string): void {
  rmSync(file, { force: true });
  rmSync(`${file}-lock`, { force: true });
}

/**
 * Flushes a folder's entries to disk, so that a database file just created or removed stays so
 * after a crash (LMDB syncs the file's contents, not the folder entry that names it).
 */
export function syncDirectory(path: string): void {
  const fd = openSync(path, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function openDupSortStore(root: RootDatabase, name: string): IndexStore {
  // Values ordered-binary too, so that one value's keys come back in primary key order.
  return root.openDB({ name, dupSort: true, encoding: "ordered-binary", keyEncoding: "ordered-binary" });
}
