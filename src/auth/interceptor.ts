import { Code, ConnectError } from "@connectrpc/connect";
import type { Interceptor } from "@connectrpc/connect";
import { Role } from "../../gen/harper/v1/options_pb.js";
import { operationOf } from "../contract/index.js";
import type { OperationEntry } from "../contract/index.js";
import { defaultDatabase } from "../storage/index.js";
import type { Authenticator } from "./authenticator.js";
import { isSuperUser, kCredentialsRefused, kOnBehalfOf, kRemoteAddress, kUser } from "./context.js";
import type { AuthUser } from "./context.js";
import { noRoleError, permissionError, restrictedError } from "./permission-error.js";
import { refuseSystemChange } from "./system-database.js";

/** Super-user operations a structure user may run (spec auth-users-roles.md §6.1, §6.4 steps 4-5). */
const databaseOperations = new Set(["createSchema", "dropSchema"]);
const tableOperations = new Set(["createTable", "dropTable", "dropAttribute"]);

/**
 * Whether a structure user may run a super-user operation: `structure_user: true` may create and
 * drop databases, tables and attributes; a list of databases may create and drop tables and
 * attributes in those only, and is answered Harper's 403 elsewhere, `system` included (recorded
 * from HarperDB 4.7.29). What the system database refuses to anyone (drops, tables created in it)
 * the operations answer after this, as they do for super users.
 */
function structureMayRun(user: AuthUser, internalName: string, operation: string, message: unknown): boolean {
  const structure = user.role?.permission["structure_user"];
  if (structure !== true && !Array.isArray(structure)) return false;
  const database = (message as { database?: string }).database ?? defaultDatabase;
  if (databaseOperations.has(internalName)) return structure === true;
  if (!tableOperations.has(internalName)) return false;
  if (structure === true || structure.includes(database)) return true;
  throw permissionError([`User does not have access to perform '${operation}' against schema '${database}'`]);
}

/**
 * The one interceptor that authenticates every RPC on every protocol (gRPC, gRPC-Web, Connect and
 * Harper JSON) and enforces the role the RPC declares in proto/. Order: authentication, then the
 * role; the handler runs only after both (and answers "not implemented" if it is not built yet).
 * An internal call (kOnBehalfOf) runs as the user it names, as stored now, through the same role
 * check; a caller the request gate or the JSON adapter already authenticated from the headers
 * (kUser set before the body was read) is not authenticated twice.
 */
export function createAuthInterceptor(authenticator: Authenticator): Interceptor {
  return (next) => async (req) => {
    const entry = operationOf(req.method);
    const header = req.header.get("authorization");
    const remote = req.contextValues.get(kRemoteAddress);
    const onBehalfOf = req.contextValues.get(kOnBehalfOf);
    let user;
    const authenticated = req.contextValues.get(kUser);
    if (onBehalfOf !== undefined) {
      user = authenticator.actingAs(onBehalfOf);
      checkRole(user, entry, req.message);
    } else if (authenticated !== undefined && entry.role !== Role.NONE) {
      // The request gate (or the JSON adapter) authenticated the caller before reading the body.
      user = authenticated;
      checkRole(user, entry, req.message);
    } else if (entry.role !== Role.NONE && req.contextValues.get(kCredentialsRefused) !== undefined) {
      throw req.contextValues.get(kCredentialsRefused);
    } else if (entry.role === Role.NONE) {
      // Token exchange and login authenticate from their own body; a header is optional.
      user = await authenticator.authenticate(header, remote, entry.name).catch(() => undefined);
    } else {
      user = await authenticator.authenticate(header, remote, entry.name);
      if (!user) throw new ConnectError("Must login", Code.Unauthenticated);
      checkRole(user, entry, req.message);
    }
    req.contextValues.set(kUser, user);
    return next(req);
  };
}

/**
 * The role the operation declares: any role for AUTHENTICATED, a super (or structure) user for
 * SUPER_USER; before it, Harper's refusal of changes to the system database (system-database.ts).
 */
function checkRole(user: AuthUser, entry: OperationEntry, message: unknown): void {
  if (!user.role) throw noRoleError(user.username);
  refuseSystemChange(user, entry.internalName, message as { database?: string; table?: string });
  if (entry.role === Role.SUPER_USER && !isSuperUser(user) && !structureMayRun(user, entry.internalName, entry.name, message)) {
    throw restrictedError(entry.internalName);
  }
}
