import { Code, ConnectError } from "@connectrpc/connect";
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import type { JsonValue } from "@bufbuild/protobuf";
import type { SqlService } from "../../gen/harper/v1/sql_service_pb.js";
import { isSuperUser, kUser } from "../auth/context.js";
import type { AuthUser } from "../auth/context.js";
import { noRoleError, permissionError } from "../auth/permission-error.js";
import { attributeProblems, hiddenItem, tableAccess } from "../auth/table-access.js";
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

/**
 * A restricted caller learns of no database or table its role does not see: a missing one and a
 * hidden one both answer the PERM-403 `does not exist` items (spec auth §6.4 step 8). `system` is
 * left to the permission check, which answers it with the missing `read`.
 */
export function tableVisibility(user: AuthUser | undefined): SeeTables {
  return (tables) => {
    if (!user || isSuperUser(user)) return;
    if (!user.role) throw noRoleError(user.username);
    const invisible: string[] = [];
    for (const { database, table } of tables) {
      if (database === "system") continue;
      const hidden = hiddenItem(tableAccess(user, database, table, ""), database, table);
      if (hidden !== undefined) invisible.push(hidden);
    }
    if (invisible.length) throw permissionError([], [...new Set(invisible)]);
  };
}

/**
 * The permission check of a statement (spec auth-users-roles.md §6.5): every table it touches
 * needs the statement's permission, every attribute it names must be visible and usable; all
 * failures answer one PERM-403. Super users pass, except for inserts into `system`.
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
    const unauthorized: JsonValue[] = [];
    const invisible: string[] = [];
    const readable = uses.map((use) => {
      const where = `${use.database}.${use.table}`;
      if (use.database === "system") {
        unauthorized.push(tableEntry(use, [use.permission], []));
        return undefined;
      }
      const access = tableAccess(user, use.database, use.table, use.primaryKey);
      const hidden = hiddenItem(access, use.database, use.table);
      if (hidden !== undefined || typeof access === "string") return void invisible.push(hidden!);
      if (!access[use.permission]) {
        unauthorized.push(tableEntry(use, [use.permission], []));
        return undefined;
      }
      if (!access.restricted) return undefined;
      const needed = use.permission === "insert" || use.permission === "update" ? use.permission : "read";
      const problems = attributeProblems(access, where, use.columns, [needed]);
      invisible.push(...problems.invisible);
      if (problems.required.length) unauthorized.push(tableEntry(use, [], problems.required));
      return use.star ? access.readable(use.attributes) : undefined;
    });
    if (invisible.length) throw permissionError([], invisible);
    if (unauthorized.length) throw permissionError(unauthorized);
    return readable;
  };
}

function tableEntry(use: TableUse, tablePermissions: string[], attributes: RequiredAttribute[]): JsonValue {
  return { schema: use.database, table: use.table, required_table_permissions: tablePermissions, required_attribute_permissions: attributes };
}
