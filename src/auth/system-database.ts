import { Code, ConnectError } from "@connectrpc/connect";
import { defaultDatabase, systemDatabase, systemIsReadOnlyMessage } from "../storage/index.js";
import type { AuthUser } from "./context.js";
import { isSuperUser } from "./context.js";
import type { TableAccess } from "./table-access.js";

/**
 * Harper's rules for the `system` database (spec auth-users-roles.md §6.3 step 6, §6.4 steps 2-4),
 * recorded from HarperDB 4.7.29:
 * - a super user may insert, update, upsert and delete records of `hdb_nodes`, `hdb_role` and
 *   `hdb_user` with the NoSQL operations;
 * - otherwise update, upsert, delete and the drops answer the system-database 403, for every user,
 *   before any other check (a non-super user's `drop_table` of `system.hdb_user` included);
 * - every other operation meets the role's permissions on the system tables: read-only for super
 *   users, nothing for others, so an insert into `system.hdb_job` (or a csv load) answers the
 *   PERM-403 naming the missing table permissions, and an unknown system table "does not exist".
 */

/** The system tables a super user may change with the NoSQL writes. */
export const superUserWritableTables: ReadonlySet<string> = new Set(["hdb_nodes", "hdb_role", "hdb_user"]);

/** The NoSQL writes (internal names) a super user may run on superUserWritableTables. */
const superUserWrites = new Set(["insert", "update", "upsert", "delete"]);

/** Operations (internal names) that change or remove system records, tables or the database. */
const changes = new Set(["update", "upsert", "delete", "dropTable", "dropSchema", "dropAttribute"]);

/** The 403 for a change to the system database. */
export function systemChangeError(): ConnectError {
  return new ConnectError(systemIsReadOnlyMessage, Code.PermissionDenied);
}

/** The database and table a request names. */
interface Target {
  database?: string;
  table?: string;
}

/** Whether a super user's NoSQL write of a system table is one Harper allows. */
export function superUserMayWrite(user: AuthUser, internalName: string, target: Target): boolean {
  return (
    isSuperUser(user) &&
    (target.database ?? defaultDatabase) === systemDatabase &&
    superUserWrites.has(internalName) &&
    superUserWritableTables.has(target.table ?? "")
  );
}

/**
 * Refuses a change of the system database (step 3) unless it is a super user's allowed write
 * (step 2). Runs before the role check, as Harper's does.
 */
export function refuseSystemChange(user: AuthUser, internalName: string, target: Target): void {
  if ((target.database ?? defaultDatabase) !== systemDatabase || !changes.has(internalName)) return;
  if (superUserMayWrite(user, internalName, target)) return;
  throw systemChangeError();
}

/**
 * What a user may do with a system table: read it when a super user, nothing else; `"table"`
 * when the table does not exist.
 */
export function systemTableAccess(user: AuthUser, exists: boolean): TableAccess | "table" {
  if (!exists) return "table";
  const read = isSuperUser(user);
  return {
    read,
    insert: false,
    update: false,
    delete: false,
    restricted: false,
    attribute: () => ({ read, insert: false, update: false }),
    readable: (names) => [...names],
  };
}
