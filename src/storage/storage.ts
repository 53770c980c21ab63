import { mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describeTable } from "./catalog.js";
import { createClock } from "./clock.js";
import { lastLogTimestamp } from "./audit-log.js";
import {
  databaseFileSuffix,
  openDatabaseEnv,
  openTableState,
  openTableStore,
  removeDatabaseFiles,
  syncDirectory,
} from "./database-env.js";
import type { DatabaseEnv, TableState } from "./database-env.js";
import { environmentStatistics } from "./environment-stats.js";
import type { EnvironmentStatistics } from "./environment-stats.js";
import { databaseNotFound, StorageError, systemIsReadOnlyMessage, tableNotFound, toStorageError } from "./errors.js";
import { lastUpdatedKey } from "./record-writer.js";
import { tableStorePrefix } from "./store-names.js";
import { defaultDatabase, systemDatabase, systemTables } from "./system-tables.js";
import { createTableHandle } from "./table-handle.js";
import type { Table } from "./table-handle.js";
import type { CreateTableOptions, TableInfo } from "./types.js";
import { validateName } from "./validate-name.js";
import { writeTransaction } from "./write-transaction.js";

/** Options of openStorage. */
export interface StorageOptions {
  /** The folder that holds one `<database>.mdb` file per database, `<rootPath>/database`. */
  path: string;
  /** Whether new tables are audited unless createTable says otherwise (Harper's `logging.auditLog`). Default true. */
  auditLog?: boolean;
  /**
   * Milliseconds between two sweeps that remove expired records of tables with `expiration`
   * from the disk (reads hide them as soon as they expire). Default 60000; 0 turns sweeping off.
   */
  expirySweepInterval?: number;
  /**
   * The time source of write timestamps and expiry checks, epoch milliseconds. Default
   * `performance.timeOrigin + performance.now()`; tests pass their own to expire records
   * without waiting.
   */
  now?: () => number;
}

/**
 * The storage core: databases, each one LMDB environment, holding tables. Reads are synchronous;
 * schema changes return promises that resolve once durable and run one at a time.
 * Database and table names are validated (StorageError INVALID with Harper's text) before they
 * reach the file system.
 */
export interface Storage {
  /** The folder of the database files. */
  readonly path: string;
  /** Names of all databases, `system` included, in creation order. */
  databases(): string[];
  /** Whether the database exists. */
  hasDatabase(name: string): boolean;
  /** Creates an empty database. ALREADY_EXISTS: `database '<db>' already exists`. */
  createDatabase(name: string): Promise<void>;
  /**
   * Drops a database: closes its environment and deletes its file. NOT_FOUND when missing;
   * FORBIDDEN for `system`.
   */
  dropDatabase(name: string): Promise<void>;
  /**
   * Creates a table, and its database when missing, and resolves with it once its catalog entry
   * is on disk. ALREADY_EXISTS: `Table '<table>' already exists in '<db>'`; FORBIDDEN in `system`.
   */
  createTable(database: string, options: CreateTableOptions): Promise<Table>;
  /** Drops a table and its records. NOT_FOUND for a missing database or table; FORBIDDEN in `system`. */
  dropTable(database: string, name: string): Promise<void>;
  /** The table, or undefined when it (or its database) does not exist. */
  table(database: string, name: string): Table | undefined;
  /**
   * The table, or NOT_FOUND with Harper's text: `database '<db>' does not exist` when the database
   * is missing, else `Table '<db>.<table>' does not exist`.
   */
  requireTable(database: string, name: string): Table;
  /** The tables of a database, in creation order. NOT_FOUND when the database is missing. */
  tables(database: string): TableInfo[];
  /**
   * LMDB statistics of every database's environment, `system` included, by database name in
   * creation order (system_information `metrics`).
   */
  environmentStats(): Record<string, EnvironmentStatistics>;
  /** Waits for pending writes and closes every environment. Later calls throw CLOSED. */
  close(): Promise<void>;
}

/**
 * Opens the storage in `options.path` (created when missing): finds the databases by their
 * `*.mdb` files and their tables in each file's catalog. The `system` database and its tables
 * are created when missing; a fresh folder also gets the empty `data` database.
 */
export function openStorage(options: StorageOptions): Storage {
  const path = options.path;
  const auditLog = options.auditLog ?? true;
  const clock = createClock(options.now);
  const envs = new Map<string, DatabaseEnv>();
  const handles = new WeakMap<TableState, Table>();
  let closed = false;
  let schemaQueue: Promise<unknown> = Promise.resolve();

  const alive = (): void => {
    if (closed) throw new StorageError("CLOSED", "the storage is closed");
  };
  /**
   * Runs schema changes one after another, so each sees the state the previous one left; those
   * accepted before close() still run, and close() waits for them.
   */
  const serial = <T>(task: () => Promise<T>): Promise<T> => {
    if (closed) return Promise.reject(new StorageError("CLOSED", "the storage is closed"));
    const run = schemaQueue.then(task);
    schemaQueue = run.catch(() => undefined);
    return run;
  };
  /** One handle per open table, made on first use. */
  const handleOf = (env: DatabaseEnv, state: TableState): Table => {
    let handle = handles.get(state);
    if (!handle) handles.set(state, (handle = createTableHandle(env, state, clock)));
    return handle;
  };
  const fileOf = (name: string): string => join(path, name + databaseFileSuffix);
  const openEnv = (name: string): DatabaseEnv => {
    const env = openDatabaseEnv(name, fileOf(name), clock());
    envs.set(name, env);
    // Timestamps key the audit logs: never issue one at or below a time already on disk.
    for (const state of env.tables.values()) {
      clock.observe(lastLogTimestamp(state.stores.log) ?? 0);
      clock.observe(state.stores.meta.get(lastUpdatedKey) ?? 0);
    }
    return env;
  };
  const createEnv = (name: string): DatabaseEnv => {
    const env = openEnv(name);
    syncDirectory(path);
    return env;
  };
  const envOf = (database: string): DatabaseEnv => {
    const env = envs.get(validateName(database, "database"));
    if (!env) throw databaseNotFound(database);
    return env;
  };

  try {
    mkdirSync(path, { recursive: true });
    const files = readdirSync(path).filter((file) => file.endsWith(databaseFileSuffix));
    for (const file of files) openEnv(file.slice(0, -databaseFileSuffix.length));
    const system = envs.get(systemDatabase) ?? createEnv(systemDatabase);
    ensureSystemTables(system, clock());
    if (files.length === 0) createEnv(defaultDatabase);
  } catch (error) {
    for (const env of envs.values()) void env.root.close();
    throw toStorageError(error, `opening the storage in ${path}`);
  }

  let sweeping = false;
  /** Removes expired records of every table with expiration, one table after another. */
  const sweep = async (): Promise<void> => {
    if (sweeping || closed) return;
    sweeping = true;
    try {
      const expiring = [...envs.values()].flatMap((env) =>
        [...env.tables.values()].filter((state) => state.info.expiration !== undefined).map((state) => handleOf(env, state)),
      );
      for (const table of expiring) await table.sweepExpired();
    } catch {
      // A table dropped or a storage closed meanwhile, or a failed commit: the records stay
      // hidden from reads and the next sweep tries again.
    } finally {
      sweeping = false;
    }
  };
  const sweepInterval = options.expirySweepInterval ?? 60_000;
  const sweepTimer = sweepInterval > 0 ? setInterval(() => void sweep(), sweepInterval) : undefined;
  sweepTimer?.unref();

  return {
    path,
    databases() {
      alive();
      return [...envs.values()]
        .sort((a, b) => a.catalog.createdTime - b.catalog.createdTime || (a.name < b.name ? -1 : 1))
        .map((env) => env.name);
    },
    hasDatabase(name) {
      alive();
      return envs.has(name);
    },
    createDatabase: (name) =>
      serial(async () => {
        validateName(name, "database");
        if (envs.has(name)) throw new StorageError("ALREADY_EXISTS", `database '${name}' already exists`);
        createEnv(name);
      }),
    dropDatabase: (name) =>
      serial(async () => {
        const env = envOf(name);
        if (name === systemDatabase) throw new StorageError("FORBIDDEN", systemIsReadOnlyMessage);
        env.dropped = true;
        for (const state of env.tables.values()) state.dropped = true;
        envs.delete(name);
        try {
          await env.root.close();
          removeDatabaseFiles(env.file);
          syncDirectory(path);
        } catch (error) {
          throw toStorageError(error, `dropping database '${name}'`);
        }
      }),
    createTable: (database, tableOptions) =>
      serial(async () => {
        validateName(database, "database");
        const info = describeTable(database, tableOptions, { audit: auditLog, createdTime: clock() });
        if (database === systemDatabase) throw new StorageError("FORBIDDEN", systemIsReadOnlyMessage);
        const env = envs.get(database) ?? createEnv(database);
        if (env.tables.has(info.name)) {
          throw new StorageError("ALREADY_EXISTS", `Table '${info.name}' already exists in '${database}'`);
        }
        const state = openTableState(env, info);
        await writeTransaction(env.root, () => env.catalog.write(info), `creating table '${database}.${info.name}'`);
        env.tables.set(info.name, state);
        return handleOf(env, state);
      }),
    dropTable: (database, name) =>
      serial(async () => {
        const env = envOf(database);
        validateName(name, "table");
        const state = env.tables.get(name);
        if (!state) throw tableNotFound(database, name);
        if (database === systemDatabase) throw new StorageError("FORBIDDEN", systemIsReadOnlyMessage);
        state.dropped = true;
        env.tables.delete(name);
        try {
          // Every store of the table: indexes, log, meta, expiry, and index stores that were
          // opened by writes that failed (empty, never in the catalog).
          const prefix = tableStorePrefix(name);
          const names = Array.from(env.root.getKeys({ start: prefix, end: `${prefix.slice(0, -1)}0` }), String);
          const stores = names.map((store) => openTableStore(env, name, store));
          // One transaction: the catalog entry, the records and the indexes go together or not at all.
          await writeTransaction(
            env.root,
            () => {
              env.catalog.remove(name);
              state.stores.primary.dropSync();
              for (const store of stores) store.dropSync();
            },
            `dropping table '${database}.${name}'`,
          );
        } catch (error) {
          state.dropped = false;
          env.tables.set(name, state);
          throw error;
        }
      }),
    table(database, name) {
      alive();
      const env = envs.get(database);
      const state = env?.tables.get(name);
      return env && state ? handleOf(env, state) : undefined;
    },
    requireTable(database, name) {
      alive();
      const env = envs.get(database);
      if (!env) throw databaseNotFound(database);
      const state = env.tables.get(name);
      if (!state) throw tableNotFound(database, name);
      return handleOf(env, state);
    },
    tables(database) {
      alive();
      return [...envOf(database).tables.values()].map((state) => state.info);
    },
    environmentStats() {
      alive();
      const result: Record<string, EnvironmentStatistics> = {};
      const ordered = [...envs.values()].sort((a, b) => a.catalog.createdTime - b.catalog.createdTime || (a.name < b.name ? -1 : 1));
      for (const env of ordered) result[env.name] = environmentStatistics(env);
      return result;
    },
    close() {
      if (closed) return Promise.resolve();
      const pending = schemaQueue;
      closed = true;
      if (sweepTimer) clearInterval(sweepTimer);
      return pending.then(async () => {
        const all = [...envs.values()];
        envs.clear();
        for (const env of all) env.closed = true;
        await Promise.all(all.map((env) => env.root.close()));
      });
    },
  };
}

/** Creates the system tables a system database lacks (all of them on a fresh root), durably. */
function ensureSystemTables(env: DatabaseEnv, createdTime: number): void {
  const missing = systemTables
    .filter((table) => !env.tables.has(table.name))
    .map((table) => describeTable(systemDatabase, table, { audit: true, createdTime }));
  if (missing.length === 0) return;
  const states = missing.map((info) => openTableState(env, info));
  // Start-up is synchronous: transactionSync commits and flushes before it returns.
  env.root.transactionSync(() => missing.forEach((info) => env.catalog.write(info)));
  for (const state of states) env.tables.set(state.info.name, state);
}
