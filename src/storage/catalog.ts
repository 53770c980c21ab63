import type { Database, RootDatabase } from "lmdb";
import { StorageError } from "./errors.js";
import { declaredAttributes, dynamicAttributes, parseExpiration } from "./attribute-definitions.js";
import type { AttributeInfo, CreateTableOptions, TableInfo } from "./types.js";
import { validateName } from "./validate-name.js";

/** Store names of the catalog inside one database environment (see store-names.ts for tables). */
export const catalogStoreName = "__tables__";
const metaStoreName = "__database__";
const metaKey = "database";

/** What the catalog persists per table (its database is the environment it lives in). */
interface CatalogEntry {
  /** Layout version of this entry, for later migrations. */
  format: 1 | 2;
  name: string;
  primaryKey: string;
  attributes: AttributeInfo[];
  audit: boolean;
  schemaDefined: boolean;
  createdTime: number;
  expiration?: number;
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
 * two timestamp attributes), expiration checked. Throws StorageError INVALID.
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
  if (options.audit !== undefined && options.audit !== null && typeof options.audit !== "boolean") {
    throw new StorageError("INVALID", "'audit' must be a boolean");
  }
  const expiration = parseExpiration(options.expiration);
  const schemaDefined = options.attributes !== undefined && options.attributes !== null;
  const declared = schemaDefined
    ? declaredAttributes(options.attributes, primaryKey)
    : { primaryKey, attributes: dynamicAttributes(primaryKey) };
  return freezeInfo({
    database,
    name,
    primaryKey: declared.primaryKey,
    attributes: declared.attributes,
    audit: options.audit ?? defaults.audit,
    schemaDefined,
    createdTime: defaults.createdTime,
    ...(expiration === undefined ? {} : { expiration }),
  });
}

/** The same table with more attributes, appended in order. */
export function withAttributes(info: TableInfo, added: readonly AttributeInfo[]): TableInfo {
  return freezeInfo({ ...info, attributes: [...info.attributes.map((a) => ({ ...a })), ...added.map((a) => ({ ...a }))] });
}

/** The same table without one attribute. */
export function withoutAttribute(info: TableInfo, name: string): TableInfo {
  return freezeInfo({ ...info, attributes: info.attributes.filter((a) => a.name !== name).map((a) => ({ ...a })) });
}

function toEntry(info: TableInfo): CatalogEntry {
  return {
    format: 2,
    name: info.name,
    primaryKey: info.primaryKey,
    attributes: info.attributes.map((attribute) => ({ ...attribute })),
    audit: info.audit,
    schemaDefined: info.schemaDefined,
    createdTime: info.createdTime,
    ...(info.expiration === undefined ? {} : { expiration: info.expiration }),
  };
}

function toInfo(database: string, entry: CatalogEntry): TableInfo {
  return freezeInfo({
    database,
    name: entry.name,
    primaryKey: entry.primaryKey,
    // Format 1 entries carry { name, indexed } only; the primary key is marked since format 2.
    attributes: entry.attributes.map((attribute) =>
      attribute.name === entry.primaryKey ? { ...attribute, isPrimaryKey: true } : { ...attribute },
    ),
    audit: entry.audit,
    schemaDefined: entry.schemaDefined,
    createdTime: entry.createdTime,
    ...(entry.expiration === undefined ? {} : { expiration: entry.expiration }),
  });
}

function freezeInfo(info: TableInfo): TableInfo {
  for (const attribute of info.attributes) {
    if (attribute.elements) deepFreeze(attribute.elements);
    Object.freeze(attribute);
  }
  Object.freeze(info.attributes);
  return Object.freeze(info);
}

function deepFreeze(value: object): void {
  for (const child of Object.values(value)) if (typeof child === "object" && child !== null) deepFreeze(child);
  Object.freeze(value);
}
