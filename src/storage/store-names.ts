/**
 * Names of the lmdb stores inside one database environment. Table names cannot contain `/`
 * (validateName) and attribute names cannot contain `/` or a backtick (validateAttributeName), so:
 * - `table/<table>` is a table's primary store and never collides with the catalog's stores;
 * - `table/<table>/<attribute>` is the secondary index of one attribute;
 * - `table/<table>/\`<name>\`` (backticks included) are the table's own stores (log, meta,
 *   expiry), which no attribute can be named like.
 * Every store of a table but the primary one starts with `tableStorePrefix(table)`, so dropping a
 * table can find them all, orphans included.
 */

/** The lmdb store name of a table's primary store (primary key -> record). */
export function primaryStoreName(table: string): string {
  return `table/${table}`;
}

/** The prefix of every other store of a table. */
export function tableStorePrefix(table: string): string {
  return `table/${table}/`;
}

/** The store of one attribute's secondary index (dupSort: value -> primary key). */
export function indexStoreName(table: string, attribute: string): string {
  return `${tableStorePrefix(table)}${attribute}`;
}

/** The table's audit log (timestamp -> LogEntry). */
export function logStoreName(table: string): string {
  return `${tableStorePrefix(table)}\`log\``;
}

/** The table's small key/value store: key generator counter, last write time. */
export function metaStoreName(table: string): string {
  return `${tableStorePrefix(table)}\`meta\``;
}

/** The expiry index of a table with `expiration` (dupSort: expiry time -> primary key). */
export function expiryStoreName(table: string): string {
  return `${tableStorePrefix(table)}\`expiry\``;
}

/** Whether a store of `tableStorePrefix(table)` is opened with dupSort (indexes, expiry). */
export function isDupSortStore(table: string, name: string): boolean {
  const rest = name.slice(tableStorePrefix(table).length);
  return !rest.startsWith("`") || name === expiryStoreName(table);
}
