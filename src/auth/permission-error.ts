import { create } from "@bufbuild/protobuf";
import type { JsonValue } from "@bufbuild/protobuf";
import { fromJson } from "@bufbuild/protobuf";
import { ValueSchema } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { PermissionErrorDetailSchema } from "../../gen/harper/v1/common_pb.js";

/** The text of every PERM-403 answer (spec auth-users-roles.md §6.6). */
export const permissionErrorText =
  "This operation is not authorized due to role restrictions and/or invalid database items";

/**
 * A PERMISSION_DENIED error carrying Harper's 403 permission object as its detail; the JSON
 * adapter answers with that object, gRPC clients find it in the error details.
 */
export function permissionError(unauthorizedAccess: JsonValue[], invalidSchemaItems: string[] = []): ConnectError {
  const detail = create(PermissionErrorDetailSchema, {
    error: permissionErrorText,
    unauthorizedAccess: unauthorizedAccess.map((item) => fromJson(ValueSchema, item)),
    invalidSchemaItems,
  });
  return new ConnectError(permissionErrorText, Code.PermissionDenied, undefined, [
    { desc: PermissionErrorDetailSchema, value: detail },
  ]);
}

/** The 403 for an operation restricted to super users, named by Harper's internal name. */
export function restrictedError(internalName: string): ConnectError {
  return permissionError([`Operation '${internalName}' is restricted to 'super_user' roles`]);
}

/** The 403 for a user without a role. */
export function noRoleError(username: string): ConnectError {
  return permissionError([`User ${username} has no role or permissions.  Please assign the user a valid role.`]);
}

/** Harper's text for a write of `__createdtime__` or `__updatedtime__` by a non-super user. */
export const timestampWriteText =
  "Internal timestamp attributes - '__createdtime_' and '__updatedtime__' - cannot be inserted to or updated by HDB users.";

/**
 * The 403 for a non-super user writing a timestamp attribute: Harper answers it alone, as a plain
 * `{"error": ...}` (not the PERM-403 envelope), before any other permission problem.
 */
export function timestampWriteError(): ConnectError {
  return new ConnectError(timestampWriteText, Code.PermissionDenied);
}
