import { createContextKey } from "@connectrpc/connect";
import type { Interceptor } from "@connectrpc/connect";
import { toJson } from "@bufbuild/protobuf";
import type { JsonValue } from "@bufbuild/protobuf";
import { ListValueSchema } from "@bufbuild/protobuf/wkt";
import type { ListValue } from "@bufbuild/protobuf/wkt";
import { Role, TablePermission } from "../../gen/harper/v1/options_pb.js";
import { operationOf } from "../contract/index.js";
import { defaultDatabase } from "../storage/index.js";
import type { Storage } from "../storage/index.js";
import { isSuperUser, kUser } from "./context.js";
import type { AuthUser } from "./context.js";
import { noRoleError, permissionError } from "./permission-error.js";
import { attributeProblems, databaseVisible, hiddenItem, tableAccess } from "./table-access.js";

/**
 * The attributes a restricted caller may read on the table of the request, set by the permission
 * interceptor; undefined means every attribute (super users, tables without attribute rules).
 * Searches project `*` and raw records onto it, so a hidden attribute never leaves the server.
 */
export const kReadableAttributes = createContextKey<ReadonlySet<string> | undefined>(undefined, {
  description: "attributes the caller may read",
});

type Word = "read" | "insert" | "update" | "delete";
const words: Record<number, Word> = {
  [TablePermission.READ]: "read",
  [TablePermission.INSERT]: "insert",
  [TablePermission.UPDATE]: "update",
  [TablePermission.DELETE]: "delete",
};
const timestamps = new Set(["__createdtime__", "__updatedtime__"]);


/** The request fields the permission check reads (every NoSQL and bulk request has them). */
interface TableRequest {
  database?: string;
  table?: string;
  action?: string;
  records?: ListValue;
  getAttributes?: ListValue;
  attribute?: string;
  conditions?: Array<{ attribute?: string; conditions?: unknown[] }>;
}

/**
 * Harper's table and attribute permissions (spec auth-users-roles.md §6.3-6.4) for every RPC that
 * declares table permissions in proto/, on every protocol: super users pass; a user without a role,
 * a database or table the role does not see, a missing table permission, and an attribute the role
 * may not see or use answer the PERM-403 envelope, all failures collected into one answer.
 */
export function createPermissionInterceptor(storage: Storage): Interceptor {
  return (next) => async (req) => {
    const entry = operationOf(req.method);
    const user = req.contextValues.get(kUser);
    if (entry.role !== Role.AUTHENTICATED || entry.tablePermissions.length === 0 || !user) return next(req);
    if (isSuperUser(user)) return next(req);
    if (!user.role) throw noRoleError(user.username);
    const request = req.message as TableRequest;
    const database = request.database ?? defaultDatabase;
    const name = request.table ?? "";
    let required = entry.tablePermissions.map((p) => words[p]!);
    if (request.action === "insert" || request.action === "update") required = [request.action];
    const info = storage.table(database, name)?.info;
    const access = tableAccess(user, database, name, info?.primaryKey ?? "");
    const hidden = hiddenItem(access, database, name);
    if (hidden !== undefined || typeof access === "string") throw permissionError([], [hidden!]);
    const missing = required.filter((word) => !access[word]);
    const writes = required.filter((w): w is "insert" | "update" => w === "insert" || w === "update");
    const { invisible, required: requiredAttributes } = attributeProblems(
      access,
      `${database}.${name}`,
      attributesUsed(request, writes.length > 0),
      writes.length ? writes : ["read"],
    );
    if (writes.length && requiredAttributes.some((a) => timestamps.has(a.attribute_name))) {
      throw permissionError([
        "Internal timestamp attributes - '__createdtime_' and '__updatedtime__' - cannot be inserted to or updated by HDB users.",
      ]);
    }
    if (access.restricted) {
      const readable = new Set<string>();
      for (const attribute of info?.attributes ?? []) if (access.attribute(attribute.name)?.read) readable.add(attribute.name);
      req.contextValues.set(kReadableAttributes, readable);
    }
    if (invisible.length) throw permissionError([], invisible);
    // A missing table permission is reported alone; attribute requirements only when the table
    // permissions are there.
    if (missing.length) requiredAttributes.length = 0;
    if (missing.length || requiredAttributes.length) {
      throw permissionError([
        { schema: database, table: name, required_table_permissions: missing, required_attribute_permissions: requiredAttributes } as JsonValue,
      ]);
    }
    return next(req);
  };
}

/** Every attribute a request names: record keys of writes, get_attributes, search attributes. */
function attributesUsed(request: TableRequest, writes: boolean): Set<string> {
  const used = new Set<string>();
  if (writes && request.records) {
    for (const record of toJson(ListValueSchema, request.records) as JsonValue[]) {
      if (record && typeof record === "object" && !Array.isArray(record)) for (const key of Object.keys(record)) used.add(key);
    }
  }
  if (request.getAttributes) for (const name of toJson(ListValueSchema, request.getAttributes) as JsonValue[]) used.add(String(name));
  if (typeof request.attribute === "string") used.add(request.attribute);
  const walk = (conditions: TableRequest["conditions"]) => {
    for (const c of conditions ?? []) {
      if (typeof c.attribute === "string") used.add(c.attribute);
      walk(c.conditions as TableRequest["conditions"]);
    }
  };
  walk(request.conditions);
  return used;
}

/** What a restricted role may see of the schema (spec §6.3), for the describe operations. */
export interface RoleView {
  database(name: string): boolean;
  table(database: string, name: string): boolean;
  /** Whether an attribute of the table is listed by describe for this role. */
  attribute(database: string, table: string, attribute: string, primaryKey: string): boolean;
}

/** The view of a caller, or undefined when it sees everything (a super user, or no caller). */
export function roleView(user: AuthUser | undefined): RoleView | undefined {
  if (!user || isSuperUser(user)) return undefined;
  const visible = (database: string, name: string) => typeof tableAccess(user, database, name, "") !== "string";
  return {
    database: (name) => databaseVisible(user, name),
    table: visible,
    attribute(database, table, attribute, primaryKey) {
      const access = tableAccess(user, database, table, primaryKey);
      return typeof access !== "string" && access.attribute(attribute) !== undefined;
    },
  };
}
