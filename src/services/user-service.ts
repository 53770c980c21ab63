import type { ServiceImpl } from "@connectrpc/connect";
import type { JsonObject } from "@bufbuild/protobuf";
import type { UserService } from "../../gen/harper/v1/user_service_pb.js";
import type { AuthRole, AuthUser } from "../auth/context.js";
import { kUser } from "../auth/context.js";

/** The built operations of UserService (the others answer "not implemented yet"). */
export function createUserService(): Partial<ServiceImpl<typeof UserService>> {
  return {
    userInfo(_request, context) {
      const user = context.values.get(kUser)!;
      // Harper prints the user's own timestamps only to a loopback caller without credentials.
      const withTimestamps = !context.requestHeader.get("authorization");
      return { user: userRecord(user, withTimestamps) };
    },
  };
}

/** A user as Harper returns it: secrets stripped, role expanded. */
export function userRecord(user: AuthUser, withTimestamps: boolean) {
  const record = user.record;
  return {
    username: user.username,
    active: user.active,
    role: user.role ? roleRecord(user.role) : undefined,
    Updatedtime: withTimestamps ? numberOrUndefined(record["__updatedtime__"]) : undefined,
    Createdtime: withTimestamps ? numberOrUndefined(record["__createdtime__"]) : undefined,
  };
}

/** A role as Harper returns it. */
export function roleRecord(role: AuthRole) {
  return {
    permission: role.permission as JsonObject,
    role: role.role,
    id: role.id,
    Updatedtime: numberOrUndefined(role.record["__updatedtime__"]) ?? 0,
    Createdtime: numberOrUndefined(role.record["__createdtime__"]) ?? 0,
  };
}

function numberOrUndefined(value: unknown): number | undefined {
  return typeof value === "number" ? value : undefined;
}
