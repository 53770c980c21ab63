import type { AuthUser } from "./context.js";

/** Harper's timestamp attributes: a role may only ever read them. */
export const timestampAttributes: ReadonlySet<string> = new Set(["__createdtime__", "__updatedtime__"]);

/** What a role may do with one attribute; undefined where the attribute is invisible. */
export interface AttributeAccess {
  read: boolean;
  insert: boolean;
  update: boolean;
}

/** What a restricted role may do with one table (spec auth-users-roles.md §6.3). */
export interface TableAccess {
  read: boolean;
  insert: boolean;
  update: boolean;
  delete: boolean;
  /** Whether attribute rules apply (a non-empty `attribute_permissions`). */
  restricted: boolean;
  /** The access to an attribute; every attribute is fully usable when not `restricted`. */
  attribute(name: string): AttributeAccess | undefined;
  /** With `restricted`: the attributes `*` shows, listed ones in the role's order, then the primary key. */
  readable(attributes: readonly string[]): string[];
}

interface TableRule {
  read?: boolean;
  insert?: boolean;
  update?: boolean;
  delete?: boolean;
  attribute_permissions?: Array<{ attribute_name: string; read?: boolean; insert?: boolean; update?: boolean }> | null;
}

/**
 * One translation of a role into what it may do with a table (spec §6.3): `"database"` when the
 * database is invisible to it, `"table"` when the table is, else the table's access. Structure
 * users see everything of their databases but `system`. Super users are not asked (they pass).
 */
export function tableAccess(user: AuthUser, database: string, table: string, primaryKey: string): TableAccess | "database" | "table" {
  const permission = (user.role?.permission ?? {}) as Record<string, unknown>;
  const structure = permission["structure_user"];
  if (database !== "system" && (structure === true || (Array.isArray(structure) && structure.includes(database)))) {
    return full(true);
  }
  const tables = (permission[database] as { tables?: Record<string, TableRule> } | undefined)?.tables;
  if (database === "system" || !permission[database]) return "database";
  const rule = tables?.[table];
  if (!rule || !(rule.read || rule.insert || rule.update || rule.delete)) return "table";
  const rules = Array.isArray(rule.attribute_permissions) && rule.attribute_permissions.length ? rule.attribute_permissions : undefined;
  const base = { read: rule.read === true, insert: rule.insert === true, update: rule.update === true, delete: rule.delete === true };
  if (!rules) return { ...base, restricted: false, attribute: () => ({ read: true, insert: true, update: true }), readable: (all) => [...all] };
  const byName = new Map(rules.map((r) => [r.attribute_name, r]));
  const union = { read: rules.some((r) => r.read === true), insert: rules.some((r) => r.insert === true), update: rules.some((r) => r.update === true) };
  const attribute = (name: string): AttributeAccess | undefined => {
    const listed = byName.get(name);
    if (timestampAttributes.has(name)) return listed?.read === true ? { read: true, insert: false, update: false } : undefined;
    const access = listed ? { read: listed.read === true, insert: listed.insert === true, update: listed.update === true } : name === primaryKey ? union : undefined;
    return access && (access.read || access.insert || access.update) ? access : undefined;
  };
  return {
    ...base,
    restricted: true,
    attribute,
    readable(all) {
      const present = new Set(all);
      const names = rules.map((r) => r.attribute_name).filter((n) => present.has(n) && attribute(n)?.read);
      if (!byName.has(primaryKey) && union.read && present.has(primaryKey)) names.push(primaryKey);
      return names;
    },
  };
}

/** Whether a role sees a database: structure users their databases, others any visible table of it. */
export function databaseVisible(user: AuthUser, database: string): boolean {
  const permission = (user.role?.permission ?? {}) as Record<string, unknown>;
  const structure = permission["structure_user"];
  if (database !== "system" && (structure === true || (Array.isArray(structure) && structure.includes(database)))) return true;
  const tables = (permission[database] as { tables?: Record<string, TableRule> } | undefined)?.tables ?? {};
  return Object.values(tables).some((rule) => !!rule && (rule.read === true || rule.insert === true || rule.update === true || rule.delete === true));
}

function full(value: boolean): TableAccess {
  const all = { read: value, insert: value, update: value };
  return { ...all, delete: value, restricted: false, attribute: () => all, readable: (names) => [...names] };
}

/** The `invalid_schema_items` text for a database or table a role does not see, or undefined when it sees it. */
export function hiddenItem(access: TableAccess | "database" | "table", database: string, table: string): string | undefined {
  if (access === "database") return `database '${database}' does not exist`;
  if (access === "table") return `Table '${database}.${table}' does not exist`;
  return undefined;
}

/** An attribute whose permissions fall short, as the PERM-403 object lists it. */
export type RequiredAttribute = {
  attribute_name: string;
  required_permissions: string[];
};

/**
 * What a role lacks for some attributes of a table (spec §6.4 step 11): the attributes it may not
 * see (as `invalid_schema_items` texts) and, for the visible ones, the permissions of `needed` it
 * does not have. Nothing when the table has no attribute rules.
 */
export function attributeProblems(
  access: TableAccess,
  where: string,
  attributes: Iterable<string>,
  needed: ReadonlyArray<"read" | "insert" | "update">,
): { invisible: string[]; required: RequiredAttribute[] } {
  const invisible: string[] = [];
  const required: RequiredAttribute[] = [];
  if (!access.restricted) return { invisible, required };
  for (const name of attributes) {
    if (name === "*") continue;
    const attribute = access.attribute(name);
    if (!attribute) {
      invisible.push(`Attribute '${name}' does not exist on '${where}'`);
      continue;
    }
    const missing = needed.filter((permission) => !attribute[permission]);
    if (missing.length) required.push({ attribute_name: name, required_permissions: missing });
  }
  return { invisible, required };
}
