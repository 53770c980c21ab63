/**
 * The plain TypeScript types that go in and out of the storage core. Nothing here knows of proto,
 * HTTP or JSON bodies.
 */

/**
 * A primary key value. Keys are type-exact and ordered by lmdb's ordered-binary encoding:
 * numbers (numerically) before strings (UTF-8 byte order), so `1` and `"1"` are two records.
 */
export type Id = string | number;

/** A stored record: a plain object, encoded with msgpack (nested values, Dates, null kept). */
export type StorageRecord = Record<string, unknown>;

/** One attribute of a table as the catalog records it. */
export interface AttributeInfo {
  /** The attribute (top-level property) name. */
  readonly name: string;
  /**
   * Whether the attribute has (or, once the index layer exists, will have) a secondary index.
   * Always false for the primary key, whose store is its own index.
   */
  readonly indexed: boolean;
}

/** What the catalog knows about a table. Frozen: the catalog owns it. */
export interface TableInfo {
  /** The database the table lives in. */
  readonly database: string;
  /** The table name. */
  readonly name: string;
  /** Name of the primary key attribute. */
  readonly primaryKey: string;
  /** Primary key first, then the others in declaration order. */
  readonly attributes: readonly AttributeInfo[];
  /** Whether writes to this table are to be recorded in the audit log. */
  readonly audit: boolean;
  /** True when the table was created with an attribute list (Harper's `schema_defined`). */
  readonly schemaDefined: boolean;
  /** When the table was created, epoch milliseconds. */
  readonly createdTime: number;
}

/** An attribute as given to createTable. */
export interface AttributeDefinition {
  /** The attribute name: 1..250 UTF-8 bytes, no `/` or backtick. */
  name: string;
  /** Defaults to true, as in Harper. Ignored for the primary key. */
  indexed?: boolean;
}

/** What createTable needs. */
export interface CreateTableOptions {
  /** The table name (database naming rules). */
  name: string;
  /** Name of the primary key attribute (database naming rules). */
  primaryKey: string;
  /**
   * The table's attributes, which must include the primary key. When absent the table is dynamic:
   * its attributes are the primary key, `__createdtime__` and `__updatedtime__`.
   */
  attributes?: AttributeDefinition[];
  /** Defaults to the storage's `auditLog` option. */
  audit?: boolean;
}

/**
 * A range over primary keys, in key order whatever the direction: `start` is the inclusive lower
 * bound, `end` the exclusive upper bound; `reverse` walks from `end` down to `start`. `offset`
 * records are skipped, then at most `limit` are returned.
 */
export interface ScanOptions {
  start?: Id;
  end?: Id;
  limit?: number;
  offset?: number;
  reverse?: boolean;
}

/** The outcome of Table.insert, each list in request order. */
export interface InsertResult {
  /** Keys of the records written. */
  inserted: Id[];
  /** Keys that existed already (or came twice in the request) and were left untouched. */
  skipped: Id[];
}
