import { createContextKey } from "@connectrpc/connect";
import type { Interceptor } from "@connectrpc/connect";
import { toJson } from "@bufbuild/protobuf";
import type { JsonValue } from "@bufbuild/protobuf";
import { ListValueSchema } from "@bufbuild/protobuf/wkt";
import type { ListValue } from "@bufbuild/protobuf/wkt";
import { Role, TablePermission } from "../../gen/harper/v1/options_pb.js";
import type { OperationTable } from "../contract/index.js";
import type { Storage } from "../storage/index.js";
import { isSuperUser, kUser } from "./context.js";
import type { AuthUser } from "./context.js";
import { noRoleError, permissionError } from "./permission-error.js";

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

interface TableRule {
  read?: boolean;
  insert?: boolean;
  update?: boolean;
  delete?: boolean;
  attribute_permissions?: Array<{ attribute_name: string; read?: boolean; insert?: boolean; update?: boolean }> | null;
}

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
export function createPermissionInterceptor(table: OperationTable, storage: Storage): Interceptor {
  return (next) => async (req) => {
    const entry = table.forMethod(req.method);
    const user = req.contextValues.get(kUser);
    if (!entry || entry.role !== Role.AUTHENTICATED || entry.tablePermissions.length === 0 || !user) return next(req);
    if (isSuperUser(user)) return next(req);
    if (!user.role) throw noRoleError(user.username);
    const request = req.message as TableRequest;
    const database = request.database ?? "data";
    const name = request.table ?? "";
    let required = entry.tablePermissions.map((p) => words[p]!);
    if (request.action === "insert" || request.action === "update") required = [request.action];
    const permission = user.role.permission as Record<string, unknown>;
    const structure = permission["structure_user"];
    if (structure === true || (Array.isArray(structure) && structure.includes(database))) {
      if (database !== "system") return next(req);
    }
    const tables = (permission[database] as { tables?: Record<string, TableRule> } | undefined)?.tables;
    if (database === "system" || !permission[database]) throw permissionError([], [`database '${database}' does not exist`]);
    const rule = tables?.[name];
    if (!rule || !(rule.read || rule.insert || rule.update || rule.delete)) {
      throw permissionError([], [`Table '${database}.${name}' does not exist`]);
    }
    const missing = required.filter((word) => rule[word] !== true);
    const attributeRules = Array.isArray(rule.attribute_permissions) && rule.attribute_permissions.length ? rule.attribute_permissions : undefined;
    const requiredAttributes: Array<{ attribute_name: string; required_permissions: string[] }> = [];
    const invisible: string[] = [];
    if (attributeRules) {
      const info = storage.table(database, name)?.info;
      const primaryKey = info?.primaryKey;
      const byName = new Map(attributeRules.map((a) => [a.attribute_name, a]));
      const union = { read: attributeRules.some((a) => a.read), insert: attributeRules.some((a) => a.insert), update: attributeRules.some((a) => a.update) };
      // The timestamps only ever get `read`, and only when listed; the primary key, when not
      // listed, gets the union of the listed attributes' permissions (spec §6.3 step 4).
      const ruleOf = (attribute: string): { read?: boolean; insert?: boolean; update?: boolean } | undefined => {
        const listed = byName.get(attribute);
        if (timestamps.has(attribute)) return listed ? { read: listed.read === true } : undefined;
        return listed ?? (attribute === primaryKey ? union : undefined);
      };
      const writes = required.filter((w) => w === "insert" || w === "update");
      const used = attributesUsed(request, writes.length > 0);
      for (const attribute of used) {
        if (attribute === "*") continue;
        const attributeRule = ruleOf(attribute);
        if (!attributeRule || !(attributeRule.read || attributeRule.insert || attributeRule.update)) {
          invisible.push(`Attribute '${attribute}' does not exist on '${database}.${name}'`);
          continue;
        }
        const needed = (writes.length ? writes : ["read" as const]).filter((w) => (attributeRule as Record<string, unknown>)[w] !== true);
        if (needed.length && timestamps.has(attribute) && writes.length) {
          throw permissionError([
            "Internal timestamp attributes - '__createdtime_' and '__updatedtime__' - cannot be inserted to or updated by HDB users.",
          ]);
        }
        if (needed.length) requiredAttributes.push({ attribute_name: attribute, required_permissions: needed });
      }
      const readable = new Set<string>();
      for (const attribute of info?.attributes ?? []) if (ruleOf(attribute.name)?.read) readable.add(attribute.name);
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
  const permission = (user.role?.permission ?? {}) as Record<string, unknown>;
  const structure = permission["structure_user"];
  const structural = (database: string) =>
    database !== "system" && (structure === true || (Array.isArray(structure) && structure.includes(database)));
  const tablesOf = (database: string) =>
    (permission[database] as { tables?: Record<string, TableRule> } | undefined)?.tables ?? {};
  const any = (rule: { read?: boolean; insert?: boolean; update?: boolean; delete?: boolean } | undefined) =>
    !!rule && (rule.read === true || rule.insert === true || rule.update === true || rule.delete === true);
  const view: RoleView = {
    database: (name) => structural(name) || Object.values(tablesOf(name)).some(any),
    table: (database, name) => structural(database) || any(tablesOf(database)[name]),
    attribute(database, table, attribute, primaryKey) {
      if (structural(database)) return true;
      const rules = tablesOf(database)[table]?.attribute_permissions;
      if (!Array.isArray(rules) || rules.length === 0) return true;
      const listed = rules.find((r) => r.attribute_name === attribute);
      if (timestamps.has(attribute)) return listed?.read === true;
      if (listed) return listed.read === true || listed.insert === true || listed.update === true;
      return attribute === primaryKey && rules.some((r) => r.read || r.insert || r.update);
    },
  };
  return view;
}
