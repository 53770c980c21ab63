import type { CreateTableOptions } from "./types.js";

/** Name of the database that holds Harper's internal tables. */
export const systemDatabase = "system";

/** Name of the default database, created on a fresh root (spec databases-tables §0.3). */
export const defaultDatabase = "data";

/** Harper's automatic timestamp attributes (spec nosql §1.2). */
export const createdTimeAttribute = "__createdtime__";
/** Harper's automatic timestamp attributes (spec nosql §1.2). */
export const updatedTimeAttribute = "__updatedtime__";

const timestamps = [createdTimeAttribute, updatedTimeAttribute];

/**
 * The tables of the `system` database that harper-ops uses, with their primary keys and
 * attributes as Harper 4.7 declares them (spec databases-tables §0.4). They are schema-defined
 * and audited; opening a storage creates any that are missing. Only the timestamps are marked
 * indexed until the index layer decides what else to index.
 */
export const systemTables: readonly CreateTableOptions[] = [
  table("hdb_user", "username", [...timestamps, "active", "hash", "hash_function", "password", "refresh_token", "role"]),
  table("hdb_role", "id", [...timestamps, "permission", "role"]),
  table("hdb_job", "id", [
    ...timestamps,
    "created_datetime",
    "end_datetime",
    "message",
    "request",
    "start_datetime",
    "status",
    "type",
    "user",
  ]),
  table("hdb_nodes", "name", [
    "subscriptions",
    "system_info",
    "url",
    "routes",
    "ca",
    "ca_info",
    "replicates",
    "revoked_certificates",
    ...timestamps,
  ]),
  table("hdb_certificate", "name", [
    updatedTimeAttribute,
    "certificate",
    "details",
    "is_authority",
    "is_self_signed",
    "private_key_name",
    "uses",
  ]),
  table("hdb_info", "info_id", ["data_version_num", "hdb_version_num", ...timestamps]),
  table("hdb_analytics", "id", ["method", "metric", "path", "type"]),
  table("hdb_status", "id", ["status", ...timestamps]),
];

function table(name: string, primaryKey: string, attributes: string[]): CreateTableOptions {
  return {
    name,
    primaryKey,
    audit: true,
    attributes: [primaryKey, ...attributes].map((attribute) => ({
      name: attribute,
      indexed: timestamps.includes(attribute),
    })),
  };
}
