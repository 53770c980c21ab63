import { Code, ConnectError } from "@connectrpc/connect";
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import type { JsonValue } from "@bufbuild/protobuf";
import type { SqlService } from "../../gen/harper/v1/sql_service_pb.js";
import { isSuperUser, kUser } from "../auth/context.js";
import type { AuthUser } from "../auth/context.js";
import { noRoleError, permissionError, timestampWriteError } from "../auth/permission-error.js";
import { hiddenItem, tableAccess, timestampAttributes } from "../auth/table-access.js";
import type { RequiredAttribute } from "../auth/table-access.js";
import { defaultSqlLimits, isSqlError, runSql } from "../sql/index.js";
import type { Authorize, SeeTables, SqlLimits, TableUse } from "../sql/index.js";
import { valueOfPlain } from "../contract/index.js";
import type { Storage } from "../storage/index.js";
import { forbiddenSystem, invalid, toConnectError } from "./storage-errors.js";

/**
 * The sql operation (spec sql.md) over the storage core, with the role checks of spec auth §6.5.
 * `limits` (settings.limits) bound each statement's length, parenthesis depth, select list width
 * and parse time (docs/sql.md, Limits).
 */
export function createSqlService(storage: Storage, limits: SqlLimits = defaultSqlLimits): ServiceImpl<typeof SqlService> {
  return {
    async sql(request, context: HandlerContext) {
      if (request.sql.trim() === "") throw invalid("The 'sql' parameter is missing from the request body");
      const user = context.values.get(kUser);
      try {
        const result = await runSql(storage, request.sql, { user: user?.username, seeTables: tableVisibility(user), authorize: authorizer(user), limits });
        return { result: valueOfPlain(result) };
      } catch (error) {
        throw translate(error);
      }
    },
  };
}

/** SqlError and StorageError as the answer's code; others pass. */
function translate(error: unknown): unknown {
  if (isSqlError(error)) {
    if (error.kind === "forbidden") return forbiddenSystem();
    const code = error.kind === "not_found" ? Code.NotFound : error.kind === "busy" ? Code.ResourceExhausted : Code.InvalidArgument;
    return new ConnectError(error.message, code);
  }
  return toConnectError(error);
}

/** A table a statement names and the table permission it needs. */
type NamedTable = { database: string; table: string; permission: TableUse["permission"] };

/**
 * What a role lacks, gathered into one PERM-403 as Harper's permission response gathers it:
 * `invalid_schema_items` in the order found, `unauthorized_access` one entry per table (its
 * missing table permissions, then its attributes' missing permissions).
 */
class Problems {
  readonly invalid: string[] = [];
  private readonly entries = new Map<string, { schema: string; table: string; required_table_permissions: string[]; required_attribute_permissions: RequiredAttribute[] }>();

  /** An invisible item; Harper leaves out an attribute of a table that already lacks a table permission. */
  addInvalid(text: string, table?: NamedTable): void {
    if (table && this.entries.has(key(table))) return;
    if (!this.invalid.includes(text)) this.invalid.push(text);
  }

  addTable(table: NamedTable, permissions: string[]): void {
    this.entries.set(key(table), { schema: table.database, table: table.table, required_table_permissions: permissions, required_attribute_permissions: [] });
  }

  addAttributes(table: NamedTable, attributes: RequiredAttribute[]): void {
    const entry = this.entries.get(key(table));
    if (entry) entry.required_attribute_permissions = attributes;
    else this.entries.set(key(table), { schema: table.database, table: table.table, required_table_permissions: [], required_attribute_permissions: attributes });
  }

  get any(): boolean {
    return this.invalid.length > 0 || this.entries.size > 0;
  }

  error(): Error {
    return permissionError([...this.entries.values()], this.invalid);
  }
}

const key = (table: NamedTable) => `${table.database}\u0000${table.table}`;

/**
 * The tables of a statement grouped by database, databases in the order they first appear (Harper
 * checks database by database), each table once.
 */
function byDatabase<T extends NamedTable>(tables: readonly T[]): T[] {
  const databases = [...new Set(tables.map((t) => t.database))];
  const seen = new Set<string>();
  return databases.flatMap((database) => tables.filter((t) => t.database === database && !seen.has(key(t)) && seen.add(key(t))));
}

/**
 * The table half of Harper's check (spec auth §6.4 step 8): a database or table the role does not
 * see is an invalid item, a visible table without the statement's permission an unauthorized
 * entry. `system` is answered with the missing permission.
 */
function tableProblems(user: AuthUser, tables: readonly NamedTable[], problems: Problems): void {
  for (const named of byDatabase(tables)) {
    if (named.database === "system") {
      problems.addTable(named, [named.permission]);
      continue;
    }
    const access = tableAccess(user, named.database, named.table, "");
    const hidden = hiddenItem(access, named.database, named.table);
    if (hidden !== undefined || typeof access === "string") problems.addInvalid(hidden!);
    else if (!access[named.permission]) problems.addTable(named, [named.permission]);
  }
}

/**
 * Harper answers table problems alone when the statement names one database, and goes on to the
 * attributes (answering both together) when it names several.
 */
const answersTablesAlone = (tables: readonly NamedTable[]) => new Set(tables.map((t) => t.database)).size < 2;

/**
 * A restricted caller learns of no database or table its role does not see: a missing one and a
 * hidden one both answer the PERM-403 `does not exist` items (spec auth §6.4 step 8), together with
 * the tables that lack the statement's permission. When the statement names several databases and
 * every table is visible, missing table permissions wait for the attribute check (authorizer),
 * which answers them together with the attributes' problems, as Harper does.
 */
export function tableVisibility(user: AuthUser | undefined): SeeTables {
  return (tables) => {
    if (!user || isSuperUser(user)) return;
    if (!user.role) throw noRoleError(user.username);
    const problems = new Problems();
    tableProblems(user, tables, problems);
    if (problems.invalid.length || (problems.any && answersTablesAlone(tables))) throw problems.error();
  };
}

/**
 * The permission check of a statement (spec auth-users-roles.md §6.5), in Harper 4.7.29's order:
 * the tables first (tableProblems; answered alone when the statement names one database), then,
 * table by table, every attribute the statement names (permission-uses.ts) must be visible and
 * have the statement's permission (read, insert or update; DELETE needs none of its attributes).
 * Everything found answers one PERM-403. A non-super user writing (or, in an UPDATE's SET,
 * reading) a timestamp attribute its role lists gets Harper's plain timestamp 403 instead, before
 * any other problem. `*` needs no attribute (`COUNT(*)` reads none). Super users pass, except for
 * inserts into `system`.
 */
export function authorizer(user: AuthUser | undefined): Authorize {
  return (uses: TableUse[]) => {
    if (!user) return [];
    if (isSuperUser(user)) {
      const system = uses.find((use) => use.database === "system" && use.permission !== "read");
      if (system?.permission === "insert") throw permissionError([tableEntry(system, ["insert"], [])]);
      if (system) throw forbiddenSystem();
      return [];
    }
    if (!user.role) throw noRoleError(user.username);
    const problems = new Problems();
    tableProblems(user, uses, problems);
    if (problems.any && answersTablesAlone(uses)) throw problems.error();
    for (const named of byDatabase(uses)) {
      const columns = new Set(uses.filter((use) => key(use) === key(named)).flatMap((use) => [...use.columns]));
      attributeProblems(user, named, columns, problems);
    }
    if (problems.any) throw problems.error();
    return uses.map((use) => {
      const access = use.database === "system" ? undefined : tableAccess(user, use.database, use.table, use.primaryKey);
      return use.star && typeof access === "object" && access.restricted ? access.readable(use.attributes) : undefined;
    });
  };
}

/** The attribute half of Harper's check for one table (spec auth §6.4 step 11). */
function attributeProblems(user: AuthUser, use: TableUse, columns: ReadonlySet<string>, problems: Problems): void {
  if (use.database === "system") return;
  const access = tableAccess(user, use.database, use.table, use.primaryKey);
  if (typeof access === "string" || !access.restricted) return;
  const where = `${use.database}.${use.table}`;
  const required: RequiredAttribute[] = [];
  for (const name of columns) {
    if (name === "*") continue;
    const attribute = access.attribute(name);
    if (!attribute) {
      problems.addInvalid(`Attribute '${name}' does not exist on '${where}'`, use);
      continue;
    }
    if (timestampAttributes.has(name) && use.permission !== "read") throw timestampWriteError();
    // DELETE needs no permission of the attributes it names, only that they are visible.
    if (use.permission !== "delete" && !attribute[use.permission]) required.push({ attribute_name: name, required_permissions: [use.permission] });
  }
  if (required.length) problems.addAttributes(use, required);
}

function tableEntry(use: TableUse, tablePermissions: string[], attributes: RequiredAttribute[]): JsonValue {
  return { schema: use.database, table: use.table, required_table_permissions: tablePermissions, required_attribute_permissions: attributes };
}
