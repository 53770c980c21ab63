import type { Storage } from "../storage/index.js";
import type { AuthRole, AuthUser } from "./context.js";
import type { UserStore } from "./user-store.js";
import { hashPassword, passwordHashFunction } from "./passwords.js";

/** Creates the user store over the storage core. */
export function createStorageUserStore(storage: Storage): UserStore {
  const users = () => storage.table("system", "hdb_user")!;
  const roles = () => storage.table("system", "hdb_role")!;
  const roleOf = (record: Record<string, unknown> | undefined): AuthRole | undefined =>
    record
      ? {
          id: String(record["id"]),
          role: String(record["role"]),
          permission: (record["permission"] ?? {}) as Record<string, unknown>,
          record,
        }
      : undefined;
  const userOf = (record: Record<string, unknown> | undefined): AuthUser | undefined =>
    record
      ? {
          username: String(record["username"]),
          active: record["active"] !== false,
          role: typeof record["role"] === "string" ? roleOf(findRole(record["role"])) : undefined,
          record,
        }
      : undefined;
  // Users name their role by role name (Harper's add_user takes the name); ids usually match.
  const findRole = (name: string): Record<string, unknown> | undefined => {
    const byId = roles().get(name) as Record<string, unknown> | undefined;
    if (byId) return byId;
    for (const record of roles().scan({})) if ((record as Record<string, unknown>)["role"] === name) return record as Record<string, unknown>;
    return undefined;
  };
  return {
    getUser: (username) => userOf(users().get(username) as Record<string, unknown> | undefined),
    getRole: (id) => roleOf(roles().get(id) as Record<string, unknown> | undefined),
    firstSuperUser() {
      for (const record of users().scan({})) {
        const user = userOf(record as Record<string, unknown>);
        if (user?.active && user.role?.permission["super_user"] === true) return user;
      }
      return undefined;
    },
    async updateUser(username, fields) {
      const current = users().get(username) as Record<string, unknown> | undefined;
      if (current) await users().put({ ...current, ...fields });
    },
  };
}

/**
 * Creates Harper's install-time roles (super_user, cluster_user) and the admin user on first
 * start. Returns true when the admin was created now.
 */
export async function ensureAdmin(storage: Storage, username: string, password: string): Promise<boolean> {
  const roles = storage.table("system", "hdb_role")!;
  const users = storage.table("system", "hdb_user")!;
  if (!roles.get("super_user")) {
    await roles.put({ id: "super_user", role: "super_user", permission: { super_user: true } });
  }
  if (!roles.get("cluster_user")) {
    await roles.put({ id: "cluster_user", role: "cluster_user", permission: { cluster_user: true } });
  }
  for (const record of users.scan({})) {
    if ((record as Record<string, unknown>)["role"] === "super_user") return false;
  }
  await users.put({
    username,
    password: await hashPassword(password),
    hash_function: passwordHashFunction,
    role: "super_user",
    active: true,
  });
  return true;
}
