import type { AuthRole, AuthUser } from "./context.js";

/** Reads users and roles from system.hdb_user and system.hdb_role. */
export interface UserStore {
  getUser(username: string): AuthUser | undefined;
  getRole(id: string): AuthRole | undefined;
  /** The first user whose role is a super user role (Harper's loopback identity). */
  firstSuperUser(): AuthUser | undefined;
  /** Merges fields into a stored user record (refresh token, ...). */
  updateUser(username: string, fields: Record<string, unknown>): Promise<void>;
}
