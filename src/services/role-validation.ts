import { create } from "@bufbuild/protobuf";
import type { JsonObject } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { RoleValidationErrorDetailSchema } from "../../gen/harper/v1/common_pb.js";

/** The summary text of every role validation failure (spec auth-users-roles.md §3.2). */
export const roleValidationText = "Errors in the role permissions JSON provided";

/** What role validation needs to know of the databases: which exist, and their attributes. */
export interface RoleCatalog {
  hasDatabase(database: string): boolean;
  /** The attribute names of a table, or undefined when the table does not exist. */
  attributesOf(database: string, table: string): readonly string[] | undefined;
}

/** The fields of an add_role or alter_role request that validation reads. */
export interface RoleInput {
  /** add_role requires `role`, alter_role requires `id`. */
  kind: "add" | "alter";
  role: string | undefined;
  id: string | undefined;
  permission: JsonObject | undefined;
  /** The request keys the message has no field for (kUnknownFields); Harper allows a few. */
  unknownKeys?: readonly string[];
}

/** Every problem found: main ones, and per `<db>_<table>` ones. */
export interface RoleProblems {
  main: string[];
  schema: Record<string, string[]>;
}

/** Body keys add_role and alter_role accept (Harper's ALLOWED_JSON_KEYS); others are refused. */
const allowedKeys = new Set(["operation", "role", "id", "permission", "hdb_user", "access"]);
const roleKinds = new Set(["super_user", "cluster_user", "structure_user"]);
const tableKeys = new Set(["read", "insert", "update", "delete", "attribute_permissions"]);
const tableCrud = ["read", "insert", "update", "delete"] as const;
const attributeKeys = new Set(["attribute_name", "read", "insert", "update", "delete"]);
const attributeCru = ["read", "insert", "update"] as const;
const namePattern = /^[A-Za-z0-9_-]+$/;

/**
 * Checks an add_role or alter_role request the way Harper 4.7 does (§3.2): every problem is
 * collected, none stops the check. Database, table and attribute names are checked against the
 * catalog.
 */
export function checkRole(input: RoleInput, catalog: RoleCatalog): RoleProblems {
  const problems: RoleProblems = { main: [], schema: {} };
  const main = (message: string) => problems.main.push(message);
  if (input.unknownKeys) {
    const unknown = input.unknownKeys.filter((key) => !allowedKeys.has(key));
    if (unknown.length === 1) main(`Invalid key in JSON body - '${unknown[0]}'`);
    if (unknown.length > 1) main(`Invalid keys in JSON body - ${unknown.map((key) => `'${key}'`).join(", ")}`);
  }
  checkName(input.role, "Role", input.kind === "add", main);
  checkName(input.id, "Id", input.kind === "alter", main);
  const permission = input.permission;
  if (permission === undefined) {
    main("Permission can't be blank");
    return problems;
  }
  const superUser = permission["super_user"];
  const clusterUser = permission["cluster_user"];
  if ((superUser === true || clusterUser === true) && Object.keys(permission).length > 1) {
    if (superUser !== undefined && clusterUser !== undefined) {
      main("Roles cannot have both 'super_user' and 'cluster_user' values included in their permissions set.");
    } else {
      main(`Roles with '${superUser === true ? "super_user" : "cluster_user"}' set to true cannot have other permissions set.`);
    }
  }
  for (const [key, value] of Object.entries(permission)) {
    if (key === "structure_user") {
      if (Array.isArray(value)) {
        for (const database of value) {
          if (typeof database !== "string" || !catalog.hasDatabase(database)) main(`database '${String(database)}' does not exist`);
        }
      } else if (typeof value !== "boolean") {
        main("Value for 'structure_user' permission must be a boolean or Array");
      }
    } else if (roleKinds.has(key)) {
      if (typeof value !== "boolean") main(`Value for '${key}' permission must be a boolean`);
    } else if (!catalog.hasDatabase(key)) {
      main(`database '${key}' does not exist`);
    } else {
      const tables = isObject(value) ? value["tables"] : undefined;
      if (isObject(tables)) checkTables(key, tables, catalog, problems);
    }
  }
  return problems;
}

/** Checks a role with checkRole and throws the structured 400 when anything is wrong. */
export function validateRole(input: RoleInput, catalog: RoleCatalog): void {
  const problems = checkRole(input, catalog);
  if (problems.main.length > 0 || Object.keys(problems.schema).length > 0) throw roleValidationError(problems);
}

/**
 * The INVALID_ARGUMENT error of a role validation failure, carrying RoleValidationErrorDetail:
 * the JSON API answers it as `{"error","main_permissions","schema_permissions"}`.
 */
export function roleValidationError(problems: RoleProblems): ConnectError {
  const detail = create(RoleValidationErrorDetailSchema, {
    error: roleValidationText,
    mainPermissions: problems.main,
    schemaPermissions: problems.schema,
  });
  return new ConnectError(roleValidationText, Code.InvalidArgument, undefined, [
    { desc: RoleValidationErrorDetailSchema, value: detail },
  ]);
}

/** validate.js `presence` and `format` on a role name or id ("can't be blank", "is invalid"). */
function checkName(value: string | undefined, label: string, required: boolean, main: (message: string) => void): void {
  if (value === undefined) {
    if (required) main(`${label} can't be blank`);
  } else if (!namePattern.test(value)) {
    main(`${label} is invalid`);
  }
}

function checkTables(database: string, tables: JsonObject, catalog: RoleCatalog, problems: RoleProblems): void {
  for (const [name, entry] of Object.entries(tables)) {
    const attributes = catalog.attributesOf(database, name);
    if (!attributes) {
      problems.main.push(`Table '${database}.${name}' does not exist`);
      continue;
    }
    const messages: string[] = [];
    checkTable(isObject(entry) ? entry : {}, attributes, `${database}.${name}`, messages);
    if (messages.length > 0) problems.schema[`${database}_${name}`] = messages;
  }
}

function checkTable(table: JsonObject, attributes: readonly string[], where: string, messages: string[]): void {
  for (const key of Object.keys(table)) {
    if (!tableKeys.has(key)) messages.push(`Invalid table permission key value '${key}'`);
  }
  for (const perm of tableCrud) {
    const value = table[perm];
    if (value === undefined || value === null) messages.push(`Missing table ${perm.toUpperCase()} permission`);
    else if (typeof value !== "boolean") messages.push(`Table ${perm.toUpperCase()} permission must be a boolean`);
  }
  const list = table["attribute_permissions"];
  if (list === undefined) {
    messages.push("Missing 'attribute_permissions' array");
    return;
  }
  if (list === null) return;
  if (!Array.isArray(list)) {
    messages.push("Value for 'attribute_permissions' must be an array");
    return;
  }
  let conflict = false;
  for (const item of list) {
    const entry = isObject(item) ? item : {};
    for (const key of Object.keys(entry)) {
      if (!attributeKeys.has(key)) messages.push(`Invalid attribute permission key value '${key}'`);
    }
    const name = entry["attribute_name"];
    if (name === undefined || name === null) {
      messages.push("Permission object in 'attribute_permission' missing an 'attribute_name'");
      continue;
    }
    if (typeof name !== "string" || !attributes.includes(name)) {
      messages.push(`Invalid attribute '${String(name)}' in 'attribute_permissions'`);
      continue;
    }
    for (const perm of attributeCru) {
      const value = entry[perm];
      if (value === undefined || value === null) messages.push(`${perm.toUpperCase()} attribute permission missing for '${name}'`);
      else if (typeof value !== "boolean") messages.push(`${perm.toUpperCase()} attribute permission for '${name}' must be a boolean`);
      else if (value && table[perm] === false) conflict = true;
    }
  }
  if (conflict) {
    messages.push(`You have a conflict with TABLE permissions for '${where}' being false and ATTRIBUTE permissions being true`);
  }
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
