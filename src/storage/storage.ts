import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { open } from "lmdb";
import type { Database, RootDatabase } from "lmdb";
import { checkName } from "./names.js";
import { StorageError } from "./storage-error.js";
import { createTable, timestamp } from "./table.js";
import type { AttributeInfo, Id, StoredRecord, Table, TableInfo } from "./table.js";

/** What openStorage needs. */
export interface StorageOptions {
  /** The folder of the database files (`<root>/database`). */
  path: string;
  /** Whether new tables keep an audit log by default (`logging.auditLog`). */
  auditLog?: boolean;
}

/** What createTable takes. */
export interface TableDefinition {
  name: string;
  primaryKey: string;
  attributes?: readonly AttributeInfo[];
  audit?: boolean;
}

/**
 * The storage core: one LMDB environment per database (`<path>/<database>.mdb`), one named store
 * per table keyed by primary key, and a catalog store (`__tables__`) in each environment that
 * survives restarts. Knows nothing of proto, HTTP or JSON bodies.
 */
export interface Storage {
  databases(): string[];
  hasDatabase(name: string): boolean;
  createDatabase(name: string): void;
  dropDatabase(name: string): Promise<void>;
  createTable(database: string, definition: TableDefinition): Promise<Table>;
  dropTable(database: string, name: string): Promise<void>;
  table(database: string, name: string): Table | undefined;
  tables(database: string): TableInfo[];
  close(): Promise<void>;
}

/** The tables of the `system` database and their primary keys (spec databases-tables.md §0.4). */
export const systemTables: ReadonlyArray<[string, string]> = [
  ["hdb_user", "username"],
  ["hdb_role", "id"],
  ["hdb_job", "id"],
  ["hdb_nodes", "name"],
  ["hdb_certificate", "name"],
  ["hdb_info", "info_id"],
  ["hdb_analytics", "id"],
];

interface Environment {
  readonly root: RootDatabase;
  readonly catalog: Database<TableInfo, string>;
  readonly tables: Map<string, Table>;
}

const fileSuffix = ".mdb";

/**
 * Opens (or creates) the storage in `options.path`: every `*.mdb` file there is a database; the
 * `system` database with its tables and the default `data` database always exist. Writes are
 * acknowledged once committed and synced to disk.
 */
export async function openStorage(options: StorageOptions): Promise<Storage> {
  mkdirSync(options.path, { recursive: true });
  const environments = new Map<string, Environment>();

  const openEnvironment = (name: string): Environment => {
    const root = open({ path: join(options.path, name + fileSuffix), maxDbs: 10_000, overlappingSync: false });
    const catalog = root.openDB<TableInfo, string>({ name: "__tables__" });
    const env: Environment = { root, catalog, tables: new Map() };
    for (const { value } of catalog.getRange({})) env.tables.set(value.name, openTable(env, value));
    environments.set(name, env);
    return env;
  };
  const openTable = (env: Environment, info: TableInfo): Table =>
    createTable(env.root, env.root.openDB<StoredRecord, Id>({ name: `t:${info.name}` }), info);
  const environment = (database: string): Environment => {
    const env = environments.get(database);
    if (!env) throw new StorageError("NOT_FOUND", `database '${database}' does not exist`);
    return env;
  };

  const storage: Storage = {
    databases: () => [...environments.keys()],
    hasDatabase: (name) => environments.has(name),
    createDatabase(name) {
      checkName("database", name);
      if (environments.has(name)) throw new StorageError("ALREADY_EXISTS", `database '${name}' already exists`);
      openEnvironment(name);
    },
    async dropDatabase(name) {
      const env = environment(name);
      environments.delete(name);
      await env.root.close();
      rmSync(join(options.path, name + fileSuffix), { force: true });
      rmSync(join(options.path, name + fileSuffix + "-lock"), { force: true });
    },
    async createTable(database, definition) {
      checkName("database", database);
      checkName("table", definition.name);
      const env = environments.get(database) ?? openEnvironment(database);
      if (env.tables.has(definition.name)) {
        throw new StorageError("ALREADY_EXISTS", `Table '${definition.name}' already exists in '${database}'`);
      }
      const info: TableInfo = {
        name: definition.name,
        database,
        primaryKey: definition.primaryKey,
        attributes: definition.attributes ?? [
          { name: definition.primaryKey, indexed: true },
          { name: "__createdtime__", indexed: true },
          { name: "__updatedtime__", indexed: true },
        ],
        audit: definition.audit ?? options.auditLog ?? true,
        createdTime: timestamp(),
      };
      await env.catalog.put(info.name, info);
      const table = openTable(env, info);
      env.tables.set(info.name, table);
      return table;
    },
    async dropTable(database, name) {
      const env = environment(database);
      if (!env.tables.has(name)) throw new StorageError("NOT_FOUND", `Table '${database}.${name}' does not exist`);
      env.tables.delete(name);
      await env.root.openDB({ name: `t:${name}` }).drop();
      await env.catalog.remove(name);
    },
    table: (database, name) => environments.get(database)?.tables.get(name),
    tables: (database) => [...environment(database).tables.values()].map((t) => t.info),
    async close() {
      const all = [...environments.values()];
      environments.clear();
      await Promise.all(all.map((env) => env.root.close()));
    },
  };

  for (const file of readdirSync(options.path)) {
    if (file.endsWith(fileSuffix)) openEnvironment(file.slice(0, -fileSuffix.length));
  }
  if (!environments.has("system")) openEnvironment("system");
  for (const [name, primaryKey] of systemTables) {
    if (!storage.table("system", name)) await storage.createTable("system", { name, primaryKey, audit: true });
  }
  if (!environments.has("data")) openEnvironment("data");
  return storage;
}
