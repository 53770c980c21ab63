import type { Database, RootDatabase } from "lmdb";
import { StorageError } from "./errors.js";
import { createdTimeAttribute, updatedTimeAttribute } from "./system-tables.js";
import type { AttributeInfo, CreateTableOptions, TableInfo } from "./types.js";
import { validateAttributeName, validateName } from "./validate-name.js";

/**
 * Store names inside one database environment. Table names cannot contain `/` (validateName), so
 * `table/<name>` never collides with the catalog's own stores; the index layer will add
 * `table/<name>/<attribute>` stores the same way (attribute names cannot contain `/` either).
 */
export const catalogStoreName = "__tables__";
const metaStoreName = "__database__";
const metaKey = "database";

/** The lmdb store name of a table's primary store. */
export function primaryStoreName(table: string): string {
  return `table/${table}`;
}

/** What the catalog persists per table (its database is the environment it lives in). */
interface CatalogEntry {
  /** Layout version of this entry, for later migrations. */
  format: 1;
  name: string;
  primaryKey: string;
  attributes: AttributeInfo[];
  audit: boolean;
  schemaDefined: boolean;
  createdTime: number;
}

/**
 * The persisted catalog of one database: a `__tables__` store (table name -> entry) and a
 * `__database__` store with the database's created time, both in the database's own environment,
 * so that a database file is self-describing.
 */
export interface Catalog {
  /** When the database was created, epoch milliseconds. */
  readonly createdTime: number;
  /** Every table recorded in this database. */
  read(): TableInfo[];
  /** Records a table. Call inside a write transaction. */
  write(info: TableInfo): void;
  /** Forgets a table. Call inside a write transaction. */
  remove(name: string): void;
}

/**
 * Opens (creating when missing) the catalog stores of a database environment. A new database gets
 * its created time written and flushed before this returns.
 */
export function openCatalog(root: RootDatabase, database: string, now: number): Catalog {
  const entries: Database<CatalogEntry, string> = root.openDB({ name: catalogStoreName });
  const meta: Database<{ createdTime: number }, string> = root.openDB({ name: metaStoreName });
  let createdTime = meta.get(metaKey)?.createdTime;
  if (createdTime === undefined) {
    createdTime = now;
    meta.putSync(metaKey, { createdTime });
  }
  return {
    createdTime,
    read: () => Array.from(entries.getRange(), ({ value }) => toInfo(database, value)),
    write: (info) => void entries.put(info.name, toEntry(info)),
    remove: (name) => void entries.remove(name),
  };
}

/**
 * Validates createTable's options and turns them into the table's catalog description: names
 * checked, attribute list normalised (primary key first and never indexed; dynamic tables get the
 * two timestamp attributes). Throws StorageError INVALID.
 */
export function describeTable(
  database: string,
  options: CreateTableOptions,
  defaults: { audit: boolean; createdTime: number },
): TableInfo {
  if (typeof options !== "object" || options === null) {
    throw new StorageError("INVALID", "table options must be an object");
  }
  const name = validateName(options.name, "table");
  const primaryKey = validateName(options.primaryKey, "primary_key");
  if (options.audit !== undefined && typeof options.audit !== "boolean") {
    throw new StorageError("INVALID", "'audit' must be a boolean");
  }
  const schemaDefined = options.attributes !== undefined;
  const attributes = schemaDefined
    ? declaredAttributes(options.attributes, primaryKey)
    : [
        { name: primaryKey, indexed: false },
        { name: createdTimeAttribute, indexed: true },
        { name: updatedTimeAttribute, indexed: true },
      ];
  return freezeInfo({
    database,
    name,
    primaryKey,
    attributes,
    audit: options.audit ?? defaults.audit,
    schemaDefined,
    createdTime: defaults.createdTime,
  });
}

function declaredAttributes(list: unknown, primaryKey: string): AttributeInfo[] {
  if (!Array.isArray(list)) throw new StorageError("INVALID", "'attributes' must be an array");
  const others: AttributeInfo[] = [];
  const seen = new Set<string>();
  for (const item of list as unknown[]) {
    const definition = (typeof item === "object" && item !== null ? item : {}) as Record<string, unknown>;
    const name = validateAttributeName(definition["name"]);
    if (seen.has(name)) throw new StorageError("INVALID", `attribute '${name}' is declared twice`);
    seen.add(name);
    if (name !== primaryKey) others.push({ name, indexed: definition["indexed"] !== false });
  }
  if (!seen.has(primaryKey)) {
    throw new StorageError("INVALID", `primary key '${primaryKey}' is not one of the table's attributes`);
  }
  return [{ name: primaryKey, indexed: false }, ...others];
}

function toEntry(info: TableInfo): CatalogEntry {
  return {
    format: 1,
    name: info.name,
    primaryKey: info.primaryKey,
    attributes: info.attributes.map(({ name, indexed }) => ({ name, indexed })),
    audit: info.audit,
    schemaDefined: info.schemaDefined,
    createdTime: info.createdTime,
  };
}

function toInfo(database: string, entry: CatalogEntry): TableInfo {
  return freezeInfo({
    database,
    name: entry.name,
    primaryKey: entry.primaryKey,
    attributes: entry.attributes.map(({ name, indexed }) => ({ name, indexed })),
    audit: entry.audit,
    schemaDefined: entry.schemaDefined,
    createdTime: entry.createdTime,
  });
}

function freezeInfo(info: TableInfo): TableInfo {
  info.attributes.forEach((attribute) => Object.freeze(attribute));
  Object.freeze(info.attributes);
  return Object.freeze(info);
}
