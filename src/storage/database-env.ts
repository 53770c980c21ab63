import { closeSync, fsyncSync, openSync, rmSync } from "node:fs";
import { open } from "lmdb";
import type { Database, RootDatabase } from "lmdb";
import { openCatalog, primaryStoreName } from "./catalog.js";
import type { Catalog } from "./catalog.js";
import { toStorageError } from "./errors.js";
import type { Id, StorageRecord, TableInfo } from "./types.js";

/**
 * Named stores one environment may hold: the two catalog stores, one primary store per table and,
 * later, one store per secondary index and an audit store. LMDB fixes this when the environment is
 * opened (a larger value costs memory per nested transaction) and it can be raised on a later open.
 */
export const maxDbs = 1000;

/** File name suffix of a database environment: `<root>/database/<name>.mdb`. */
export const databaseFileSuffix = ".mdb";

/** A table whose primary store is open. `dropped` turns every handle on it into NOT_FOUND. */
export interface TableState {
  info: TableInfo;
  readonly store: Database<StorageRecord, Id>;
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

/** Opens (creating when missing) the primary store of a table. */
export function openTableState(env: DatabaseEnv, info: TableInfo): TableState {
  const store: Database<StorageRecord, Id> = env.root.openDB({
    name: primaryStoreName(info.name),
    encoding: "msgpack",
    keyEncoding: "ordered-binary",
  });
  return { info, store, dropped: false };
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
