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

/**
 * The declared type of an array's elements (Harper's `elements`): a type name and, for arrays of
 * arrays, their own elements.
 */
export interface ElementsDefinition {
  /** `String`, `Int`, ... as for attributes; absent means any value. */
  readonly type?: string;
  /** False when an element may not be null. */
  readonly nullable?: boolean;
  /** The elements of nested arrays. */
  readonly elements?: ElementsDefinition;
}

/** One attribute of a table as the catalog records it. */
export interface AttributeInfo {
  /** The attribute (top-level property) name. */
  readonly name: string;
  /**
   * Whether the attribute has a secondary index. Always false for the primary key, whose store is
   * its own index.
   */
  readonly indexed: boolean;
  /**
   * The declared type, only on tables created with `attributes`: `String`, `Int`, `Long`,
   * `Float`, `BigInt`, `Boolean`, `Date`, `Bytes`, `Blob`, `ID`, `Any`, `array`, or the name of
   * an object type. Absent means untyped (any value).
   */
  readonly type?: string;
  /** Declared `nullable` (false: the property must be present and not null). */
  readonly nullable?: boolean;
  /** Declared element type of an `array` attribute. */
  readonly elements?: ElementsDefinition;
  /** True on the primary key's entry. */
  readonly isPrimaryKey?: boolean;
}

/** What the catalog knows about a table. Frozen: the catalog owns it. */
export interface TableInfo {
  /** The database the table lives in. */
  readonly database: string;
  /** The table name. */
  readonly name: string;
  /** Name of the primary key attribute. */
  readonly primaryKey: string;
  /** Primary key first, then the others in declaration (or creation) order. */
  readonly attributes: readonly AttributeInfo[];
  /** Whether writes to this table are recorded in its audit log. */
  readonly audit: boolean;
  /** True when the table was created with an attribute list (Harper's `schema_defined`). */
  readonly schemaDefined: boolean;
  /** When the table was created, epoch milliseconds. */
  readonly createdTime: number;
  /** Record time-to-live in seconds, when the table has one. */
  readonly expiration?: number;
}

/** An attribute as given to createTable (Harper's attribute definition). */
export interface AttributeDefinition {
  /** The attribute name: 1..250 UTF-8 bytes, no `/` or backtick. */
  name: string;
  /** The declared type (see AttributeInfo.type); absent or `Any` means untyped. */
  type?: string;
  /** Defaults to true, as in Harper. Ignored for the primary key. */
  indexed?: boolean;
  /** Marks the primary key (else the attribute named like CreateTableOptions.primaryKey is). */
  isPrimaryKey?: boolean;
  /** False: the property is required and may not be null. */
  nullable?: boolean;
  /** Element type of an `array` attribute: a type name or a definition. */
  elements?: ElementsDefinition | string;
}

/** What createTable needs. */
export interface CreateTableOptions {
  /** The table name (database naming rules). */
  name: string;
  /** Name of the primary key attribute (database naming rules). */
  primaryKey: string;
  /**
   * The table's attributes, which must include the primary key. When absent the table is dynamic:
   * its attributes are the primary key, `__createdtime__` and `__updatedtime__`, and writes add
   * the others.
   */
  attributes?: AttributeDefinition[];
  /** Defaults to the storage's `auditLog` option. */
  audit?: boolean;
  /** Record time-to-live in seconds (a positive number, or a numeric string). */
  expiration?: number | string;
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

/** The three record writes (spec nosql §2.3). */
export type WriteKind = "insert" | "update" | "upsert";

/** Who writes: recorded in the audit log. */
export interface WriteContext {
  /** The user name, when the write comes from a user. */
  user?: string;
}

/** The outcome of Table.write, both lists in request order. */
export interface WriteResult {
  /** The records written: their key, and whether the storage generated it. */
  written: Array<{ id: Id; generated: boolean }>;
  /** Keys of records skipped: existing (insert), absent (update) or repeated in the request. */
  skipped: Id[];
}

/** One entry of a table's audit log: one committed write call. */
export interface LogEntry {
  /** The write's timestamp (the records' `__updatedtime__`), the entry's key. */
  timestamp: number;
  operation: "insert" | "update" | "upsert" | "delete";
  /** The user of the write context, when there was one. */
  user?: string;
  /** Keys of the records written or deleted, in request order. */
  hash_values: Id[];
  /** The records as written (after-images), aligned with hash_values; absent for deletes. */
  records?: StorageRecord[];
  /**
   * The records as they were before (before-images), aligned with hash_values, null where the
   * record was created; absent for inserts.
   */
  original_records?: Array<StorageRecord | null>;
}

/** What Table.readLog returns. `from`/`to` are inclusive timestamps. */
export interface LogQuery {
  from?: number;
  to?: number;
  /** Only entries that touched one of these keys (type-exact). */
  ids?: readonly Id[];
  /** Only entries written by this user. */
  user?: string;
  /** At most this many entries (after filtering). */
  limit?: number;
  /** Newest first. */
  reverse?: boolean;
}

/** Table.stats(): sizes and counts read from lmdb's statistics, never by scanning. */
export interface TableStats {
  /** Entries of the primary store (records that expired but were not yet swept included). */
  recordCount: number;
  /** Bytes of the primary store's pages. */
  tableSize: number;
  /** Bytes of the database file. */
  dbSize: number;
  /** Bytes of the pages of every audit log store of the database. */
  dbAuditSize: number;
  /** Timestamp of the newest write (audit entry or record write); absent before the first. */
  lastUpdatedRecord?: number;
}
