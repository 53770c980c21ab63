import { createContextKey } from "@connectrpc/connect";
import type { Interceptor } from "@connectrpc/connect";
import { toJson } from "@bufbuild/protobuf";
import type { JsonValue } from "@bufbuild/protobuf";
import { ListValueSchema } from "@bufbuild/protobuf/wkt";
import type { ListValue } from "@bufbuild/protobuf/wkt";
import { Role, TablePermission } from "../../gen/harper/v1/options_pb.js";
import { operationOf } from "../contract/index.js";
import { defaultDatabase, systemDatabase } from "../storage/index.js";
import type { Storage } from "../storage/index.js";
import { isSuperUser, kUser } from "./context.js";
import type { AuthUser } from "./context.js";
import { noRoleError, permissionError, timestampWriteError } from "./permission-error.js";
import { superUserMayWrite, systemTableAccess } from "./system-database.js";
import { attributeProblems, databaseVisible, hiddenItem, tableAccess, timestampAttributes } from "./table-access.js";
import type { RequiredAttribute } from "./table-access.js";

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
 * declares table permissions in proto/, on every protocol, in Harper's order (recorded from
 * HarperDB 4.7.29):
 * 1. a user without a role: the no-role 403;
 * 2. super users pass, except in `system` (system-database.ts): there they read, and write only
 *    the tables Harper lets them write;
 * 3. a database or table the role does not see: `invalid_schema_items`, alone;
 * 4. a missing table permission: the table's `unauthorized_access` entry, alone (attributes are
 *    not looked at);
 * 5. with attribute rules: a timestamp attribute written answers Harper's timestamp 403 alone;
 *    else every invisible attribute (`invalid_schema_items`) and every visible one lacking a
 *    permission (the table entry's `required_attribute_permissions`) in one answer.
 */
export function createPermissionInterceptor(storage: Storage): Interceptor {
  return (next) => async (req) => {
    const entry = operationOf(req.method);
    const user = req.contextValues.get(kUser);
    const request = req.message as TableRequest;
    // Without a table there is nothing to check: the operation answers its own "'table' is
    // required" (HarperDB 4.7.29 validates before it checks permissions here).
    if (entry.role !== Role.AUTHENTICATED || entry.tablePermissions.length === 0 || !user || request.table === undefined) {
      return next(req);
    }
    const database = request.database ?? defaultDatabase;
    const name = request.table ?? "";
    const system = database === systemDatabase;
    if (isSuperUser(user) && (!system || superUserMayWrite(user, entry.internalName, request))) return next(req);
    if (!user.role) throw noRoleError(user.username);
    let required = entry.tablePermissions.map((p) => words[p]!);
    if (request.action === "insert" || request.action === "update") required = [request.action];
    const info = storage.table(database, name)?.info;
    const access = system ? systemTableAccess(user, info !== undefined) : tableAccess(user, database, name, info?.primaryKey ?? "");
    const hidden = hiddenItem(access, database, name);
    if (hidden !== undefined || typeof access === "string") throw permissionError([], [hidden!]);
    const missing = required.filter((word) => !access[word]);
    if (missing.length) throw permissionError([tableEntry(database, name, missing, [])]);
    const writes = required.filter((w): w is "insert" | "update" => w === "insert" || w === "update");
    const { invisible, required: requiredAttributes } = attributeProblems(
      access,
      `${database}.${name}`,
      attributesUsed(request, writes.length > 0),
      writes.length ? writes : ["read"],
    );
    if (writes.length && requiredAttributes.some((a) => timestampAttributes.has(a.attribute_name))) throw timestampWriteError();
    if (access.restricted) {
      const readable = new Set<string>();
      for (const attribute of info?.attributes ?? []) if (access.attribute(attribute.name)?.read) readable.add(attribute.name);
      req.contextValues.set(kReadableAttributes, readable);
    }
    if (invisible.length || requiredAttributes.length) {
      throw permissionError(requiredAttributes.length ? [tableEntry(database, name, [], requiredAttributes)] : [], invisible);
    }
    return next(req);
  };
}

function tableEntry(database: string, table: string, permissions: string[], attributes: RequiredAttribute[]): JsonValue {
  return { schema: database, table, required_table_permissions: permissions, required_attribute_permissions: attributes } as JsonValue;
}

/**
 * Every attribute a request names, in the order Harper reports them: search attributes (nested
 * conditions included), then the keys of written records, then get_attributes.
 */
function attributesUsed(request: TableRequest, writes: boolean): Set<string> {
  const used = new Set<string>();
  if (typeof request.attribute === "string") used.add(request.attribute);
  const walk = (conditions: TableRequest["conditions"]) => {
    for (const c of conditions ?? []) {
      if (typeof c.attribute === "string") used.add(c.attribute);
      walk(c.conditions as TableRequest["conditions"]);
    }
  };
  walk(request.conditions);
  if (writes && request.records) {
    for (const record of toJson(ListValueSchema, request.records) as JsonValue[]) {
      if (record && typeof record === "object" && !Array.isArray(record)) for (const key of Object.keys(record)) used.add(key);
    }
  }
  if (request.getAttributes) for (const name of toJson(ListValueSchema, request.getAttributes) as JsonValue[]) used.add(String(name));
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
