import { fromJson } from "@bufbuild/protobuf";
import type { JsonObject, JsonValue, MessageInitShape } from "@bufbuild/protobuf";
import { ValueSchema } from "@bufbuild/protobuf/wkt";
import type { RoleRecordSchema, UserRecordSchema } from "../../gen/harper/v1/user_service_pb.js";
import type { AuthRole, AuthUser } from "../auth/context.js";
import type { Storage, StorageRecord, Table } from "../storage/index.js";
import type { RoleCatalog } from "./role-validation.js";

/** A role as the RPCs answer it. */
export type RoleMessage = MessageInitShape<typeof RoleRecordSchema>;
/** A user as the RPCs answer it. */
export type UserMessage = MessageInitShape<typeof UserRecordSchema>;

/**
 * The system tables list_users adds to every role's `permission.system.tables`, in Harper 4.7's
 * order (spec auth-users-roles.md §4.1).
 */
export const systemTableNames: readonly string[] = [
  "hdb_user",
  "hdb_role",
  "hdb_job",
  "hdb_license",
  "hdb_info",
  "hdb_nodes",
  "hdb_certificate",
  "hdb_analytics_hostname",
  "hdb_analytics",
  "hdb_raw_analytics",
  "hdb_temp",
  "hdb_durable_session",
  "hdb_session_will",
  "hdb_certificate_cache",
  "hdb_crl_cache",
  "hdb_revoked_certificates",
];

/** Reads of `system.hdb_user` and `system.hdb_role` that the user and role operations share. */
export interface UserRecords {
  readonly users: Table;
  readonly roles: Table;
  /** The role records whose name (`role`) is `name`. */
  rolesNamed(name: string): StorageRecord[];
  /**
   * The role a user's `role` value refers to: by id, else by name (users made by the first start
   * name their role by name; both are `super_user` there), as the authenticator resolves it.
   */
  roleOf(reference: unknown): StorageRecord | undefined;
  /** The databases, tables and attributes that role permissions may name. */
  readonly catalog: RoleCatalog;
}

/** Creates the record reads over the storage core. */
export function createUserRecords(storage: Storage): UserRecords {
  const users = storage.table("system", "hdb_user");
  const roles = storage.table("system", "hdb_role");
  if (!users || !roles) throw new Error("the system database has no hdb_user or hdb_role table");
  const rolesNamed = (name: string) => [...roles.scan()].filter((record) => record["role"] === name);
  return {
    users,
    roles,
    rolesNamed,
    roleOf(reference) {
      if (typeof reference !== "string" && typeof reference !== "number") return undefined;
      return roles.get(reference) ?? (typeof reference === "string" ? rolesNamed(reference)[0] : undefined);
    },
    catalog: {
      hasDatabase: (database) => storage.hasDatabase(database),
      attributesOf: (database, table) => storage.table(database, table)?.info.attributes.map((attribute) => attribute.name),
    },
  };
}

/** A stored hdb_role record as an RPC answers it; `permission` may be replaced (list_users). */
export function roleMessage(record: StorageRecord, permission?: JsonObject): RoleMessage {
  const message: RoleMessage = {
    permission: permission ?? ((record["permission"] ?? {}) as JsonObject),
    role: String(record["role"] ?? ""),
    id: String(record["id"] ?? ""),
    Updatedtime: numberOr(record["__updatedtime__"], 0),
    Createdtime: numberOr(record["__createdtime__"], 0),
  };
  if (record["access"] !== undefined) message.access = accessValue(record["access"]);
  return message;
}

/**
 * A stored hdb_user record as list_users answers it: secrets (password, hash, hash_function,
 * refresh_token) left out, the role expanded with the system tables, absent when it is gone.
 */
export function listedUser(record: StorageRecord, role: StorageRecord | undefined): UserMessage {
  return {
    username: String(record["username"]),
    active: record["active"] !== false,
    role: role ? roleMessage(role, withSystemTables(role)) : undefined,
    Updatedtime: numberOr(record["__updatedtime__"], undefined),
    Createdtime: numberOr(record["__createdtime__"], undefined),
  };
}

/** The authenticated user as user_info answers it: secrets stripped, role as stored. */
export function userInfoMessage(user: AuthUser, withTimestamps: boolean): UserMessage {
  const record = user.record;
  return {
    username: user.username,
    active: user.active,
    role: user.role ? authRoleMessage(user.role) : undefined,
    Updatedtime: withTimestamps ? numberOr(record["__updatedtime__"], undefined) : undefined,
    Createdtime: withTimestamps ? numberOr(record["__createdtime__"], undefined) : undefined,
  };
}

/** A role resolved by the authenticator, as an RPC answers it. */
export function authRoleMessage(role: AuthRole): RoleMessage {
  return roleMessage({ ...role.record, id: role.id, role: role.role }, role.permission as JsonObject);
}

/**
 * A copy of a role's permission with `system.tables` holding every system table: read for super
 * users, nothing else (Harper's appendSystemTablesToRole).
 */
export function withSystemTables(role: StorageRecord): JsonObject {
  const permission = structuredClone((role["permission"] ?? {}) as JsonObject);
  const read = permission["super_user"] === true;
  const system = isObject(permission["system"]) ? permission["system"] : {};
  const tables = isObject(system["tables"]) ? system["tables"] : {};
  for (const name of systemTableNames) {
    tables[name] = { read, insert: false, update: false, delete: false, attribute_permissions: [] };
  }
  system["tables"] = tables;
  permission["system"] = system;
  return permission;
}

/** The `access` value of a role (any JSON) as a google.protobuf.Value. */
function accessValue(value: unknown): RoleMessage["access"] {
  return fromJson(ValueSchema, value as JsonValue);
}

function numberOr<T extends number | undefined>(value: unknown, fallback: T): number | T {
  return typeof value === "number" ? value : fallback;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
