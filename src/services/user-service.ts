import { toJson } from "@bufbuild/protobuf";
import { ValueSchema } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import type { ServiceImpl } from "@connectrpc/connect";
import type { UserService } from "../../gen/harper/v1/user_service_pb.js";
import type { Authenticator } from "../auth/authenticator.js";
import { kUser } from "../auth/context.js";
import { hashPassword, passwordHashFunction } from "../auth/passwords.js";
import { errorReason, kUnknownFields } from "../contract/index.js";
import type { Storage, StorageRecord } from "../storage/index.js";
import { validateRole } from "./role-validation.js";
import { invalid, notFound, translating } from "./storage-errors.js";
import { createUserRecords, listedUser, roleMessage, userInfoMessage } from "./user-records.js";

/** What the user and role operations need. */
export interface UserServiceDeps {
  storage: Storage;
  /** Flushed after every change, so that changed users and roles count from the next request. */
  authenticator: Authenticator;
}

/** A 409 with Harper's text. */
const conflict = (message: string) => new ConnectError(message, Code.AlreadyExists);
const namePattern = /^[A-Za-z0-9_-]+$/;
const blank = (value: string | undefined) => value === undefined || value.trim() === "";

/** user_info: the caller, with its role and without secrets (spec auth-users-roles.md §4.1). */
export const userInfo: ServiceImpl<typeof UserService>["userInfo"] = (_request, context) => {
  const user = context.values.get(kUser)!;
  // Harper prints the user's own timestamps only to a loopback caller without credentials.
  const withTimestamps = !context.requestHeader.get("authorization");
  return { user: userInfoMessage(user, withTimestamps) };
};

/**
 * The operations of UserService (spec auth-users-roles.md §3, §4): user_info, list_roles,
 * add_role, alter_role, drop_role, list_users, add_user, alter_user and drop_user over
 * `system.hdb_role` and `system.hdb_user`. Changes run one at a time (a check and the write it
 * guards see the same records) and each flushes the authenticator's cache.
 */
export function createUserService(deps: UserServiceDeps): ServiceImpl<typeof UserService> {
  const records = createUserRecords(deps.storage);
  const { users, roles } = records;
  let queue: Promise<unknown> = Promise.resolve();
  /** Runs a change after the previous ones, and flushes the authentication cache after it. */
  const change = <T>(task: () => Promise<T>): Promise<T> => {
    const run = queue.then(task).finally(() => deps.authenticator.flush());
    queue = run.catch(() => undefined);
    return run;
  };
  /** The one role named `name`: 404 / 409 with the texts of the calling operation. */
  const roleNamed = (name: string, missing: string): StorageRecord => {
    const found = records.rolesNamed(name);
    if (found.length === 0) throw notFound(missing);
    if (found.length > 1) {
      throw conflict(`Multiple ${name} roles found.  Roles must have unique 'role' value. Please update and try again.`);
    }
    return found[0]!;
  };

  return {
    userInfo,

    async listRoles() {
      return { roles: [...roles.scan()].map((record) => roleMessage(record)) };
    },

    async addRole(request, context) {
      validateRole(
        { kind: "add", role: request.role, id: request.id, permission: request.permission, unknownKeys: context.values.get(kUnknownFields) },
        records.catalog,
      );
      const role = request.role!;
      const id = request.id ?? role;
      const access = request.access === undefined ? undefined : toJson(ValueSchema, request.access);
      return change(async () => {
        if (records.rolesNamed(role).length > 0) throw conflict(`A role with name '${role}' already exists`);
        const record = { role, permission: request.permission, id, ...(access === undefined ? {} : { access }) };
        const result = await translating(() => roles.write("insert", [record]));
        if (result.skipped.length > 0) throw conflict(`A role with id '${id}' already exists`);
        const stored = roles.get(id) ?? record;
        const { Updatedtime, Createdtime } = roleMessage(stored);
        return { role, permission: request.permission, access: request.access, id, Updatedtime, Createdtime };
      });
    },

    async alterRole(request, context) {
      validateRole(
        { kind: "alter", role: request.role, id: request.id, permission: request.permission, unknownKeys: context.values.get(kUnknownFields) },
        records.catalog,
      );
      const id = request.id!;
      const access = request.access === undefined ? undefined : toJson(ValueSchema, request.access);
      return change(async () => {
        if (!roles.get(id)) throw invalid("Invalid role id");
        const fields: StorageRecord = { id, permission: request.permission };
        if (request.role !== undefined) fields["role"] = request.role;
        if (access !== undefined) fields["access"] = access;
        const result = await translating(() => roles.write("update", [fields]));
        if (result.written.length === 0) throw invalid("Invalid role id");
        const { Updatedtime, Createdtime } = roleMessage(roles.get(id) ?? fields);
        return { id, role: request.role, permission: request.permission, access: request.access, Updatedtime, Createdtime };
      });
    },

    async dropRole(request) {
      const id = request.id;
      if (id === undefined) {
        // Harper answers this one in its framework's envelope (see compat/harper-texts.ts).
        throw errorReason("ROLE_ID_MISSING", "Id can't be blank");
      }
      if (!namePattern.test(id)) throw invalid("Id is invalid");
      return change(async () => {
        const role = roles.get(id);
        if (!role) throw notFound("Role not found");
        const name = String(role["role"]);
        for (const user of users.scan()) {
          if (user["active"] !== false && records.roleOf(user["role"])?.["id"] === id) {
            throw conflict(`Cannot drop role ${name} as it has active user(s) tied to this role`);
          }
        }
        await translating(() => roles.deleteRecords([id]));
        return { message: `${name} successfully deleted` };
      });
    },

    async listUsers() {
      return { users: [...users.scan()].map((record) => listedUser(record, records.roleOf(record["role"]))) };
    },

    async addUser(request) {
      const { username, password, role, active } = request;
      const problems: string[] = [];
      if (blank(username)) problems.push("Username can't be blank");
      else if (username === "system") problems.push("Username You cannot create tables within the system schema");
      if (password === undefined || password === "") problems.push("Password can't be blank");
      if (role === undefined) problems.push("Role can't be blank");
      else if (!namePattern.test(role)) problems.push("Role is invalid");
      if (active === undefined) problems.push("Active can't be blank");
      if (problems.length > 0) throw invalid(problems.join(","));
      const hash = await hashPassword(password!);
      return change(async () => {
        const found = roleNamed(role!, `${role} role not found`);
        const record = { username, password: hash, hash_function: passwordHashFunction, role: found["id"], active };
        const result = await translating(() => users.write("insert", [record]));
        if (result.skipped.length > 0) throw conflict(`User ${username} already exists`);
        return { message: `${username} successfully added` };
      });
    },

    async alterUser(request) {
      // Harper answers these client mistakes with 500; harper-ops with 400 and Harper's text.
      const { username, password, role, active } = request;
      if (username === undefined || username === "") throw invalid("username is required");
      if ((password === undefined || password === "") && (role === undefined || role === "") && active === undefined) {
        throw invalid("nothing to update, must supply active, role or password to update");
      }
      if (password !== undefined && password.trim() === "") throw invalid("password cannot be an empty string");
      if (role === "") throw invalid("If role is specified, it cannot be empty.");
      const fields: StorageRecord = { username };
      if (password !== undefined) {
        fields["password"] = await hashPassword(password);
        fields["hash_function"] = passwordHashFunction;
      }
      if (active !== undefined) fields["active"] = active;
      return change(async () => {
        if (role !== undefined) fields["role"] = roleNamed(role, `Update failed.  Requested '${role}' role not found.`)["id"];
        const result = await translating(() => users.write("update", [fields]));
        const updated = result.written.map((written) => String(written.id));
        return {
          message: `updated ${updated.length} of 1 records`,
          txnTime: 0,
          updateHashes: updated,
          skippedHashes: result.skipped.map(String),
        };
      });
    },

    async dropUser(request) {
      const username = request.username;
      if (username === undefined || username === "") throw invalid("Username can't be blank");
      return change(async () => {
        const found = await translating(() => users.get(username!));
        if (!found) throw notFound(`User ${username} does not exist`);
        await translating(() => users.deleteRecords([username!]));
        return { message: `${username} successfully deleted` };
      });
    },
  };
}
