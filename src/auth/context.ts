import { createContextKey } from "@connectrpc/connect";

/** A user as the server knows it once authenticated: the hdb_user record with its role. */
export interface AuthUser {
  readonly username: string;
  readonly active: boolean;
  /** The hdb_role record of the user's role, when it exists. */
  readonly role: AuthRole | undefined;
  /** The stored record, secrets included; never returned as is. */
  readonly record: Readonly<Record<string, unknown>>;
}

/** An hdb_role record. */
export interface AuthRole {
  readonly id: string;
  readonly role: string;
  readonly permission: Readonly<Record<string, unknown>>;
  readonly record: Readonly<Record<string, unknown>>;
}

/** The authenticated caller of an RPC, set by the auth interceptor, read by handlers. */
export const kUser = createContextKey<AuthUser | undefined>(undefined, { description: "authenticated user" });

/**
 * The user an internal call runs for (an export's embedded search), by name, set by the
 * dispatcher; the auth interceptor resolves it instead of reading credentials. No transport sets it.
 */
export const kOnBehalfOf = createContextKey<string | undefined>(undefined, { description: "user of an internal call" });

/**
 * The refusal of Basic credentials found by the JSON adapter before the body was read (a Basic
 * check does not depend on the operation), so the auth interceptor does not hash the same wrong
 * password again for an operation that needs a user.
 */
export const kCredentialsRefused = createContextKey<unknown>(undefined, { description: "refused Basic credentials" });

/** The client's IP address, set by the transport (for Harper's loopback `authorizeLocal`). */
export const kRemoteAddress = createContextKey<string | undefined>(undefined, { description: "client address" });

/** The transport a request arrived on: "json" (Harper POST /), "connect", "grpc" or "grpc-web". */
export const kProtocol = createContextKey<string>("unknown", { description: "wire protocol" });

/** True when the user's role is a super user role. */
export function isSuperUser(user: AuthUser | undefined): boolean {
  return user?.role?.permission["super_user"] === true;
}
