import { createHash } from "node:crypto";
import { Code, ConnectError } from "@connectrpc/connect";
import type { AuthUser } from "./context.js";
import { verifyPassword } from "./passwords.js";
import type { TokenIssuer } from "./tokens.js";
import type { UserStore } from "./user-store.js";

/** Resolves the caller of a request from its Authorization header and address. */
export interface Authenticator {
  /**
   * Returns the caller, or undefined when the request carries no usable credentials (Harper's
   * "Must login"). Throws UNAUTHENTICATED with Harper's message for bad credentials.
   * `operation` selects the token kind: a Bearer token is a refresh token only for
   * refresh_operation_token.
   */
  authenticate(header: string | null, remoteAddress: string | undefined, operation: string): Promise<AuthUser | undefined>;
  /** Checks a username and password (token exchange, login); undefined when they do not match. */
  checkPassword(username: string, password: string): Promise<AuthUser | undefined>;
  /** Forgets cached verifications; called whenever a user or role changes. */
  flush(): void;
}

/** Options of createAuthenticator. */
export interface AuthenticatorOptions {
  users: UserStore;
  tokens: TokenIssuer;
  /** Harper's authentication.authorizeLocal: a loopback request without header is the super user. */
  authorizeLocal: boolean;
  /** How long a successful Basic verification is remembered (authentication.cacheTTL). */
  cacheTtlMs: number;
}

/** Creates the authenticator; successful Basic checks are cached since password hashes are slow. */
export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  const { users, tokens } = options;
  const verified = new Map<string, number>(); // sha256(header) -> expiry
  const loginFailed = () => new ConnectError("Login failed", Code.Unauthenticated);
  const inactive = () => new ConnectError("Cannot complete request: User is inactive", Code.Unauthenticated);

  async function basic(credentials: string): Promise<AuthUser | undefined> {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(credentials)) {
      throw new ConnectError("Invalid character", Code.Unauthenticated);
    }
    const decoded = Buffer.from(credentials, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    const username = colon < 0 ? decoded : decoded.slice(0, colon);
    const password = colon < 0 ? "" : decoded.slice(colon + 1);
    if (!username && !password) return undefined;
    const key = createHash("sha256").update(credentials).digest("base64");
    const user = users.getUser(username);
    if (!user) throw loginFailed();
    const expiry = verified.get(key);
    if (expiry === undefined || expiry < Date.now()) {
      if (!(await verifyPassword(password, user.record["password"]))) throw loginFailed();
      verified.set(key, Date.now() + options.cacheTtlMs);
    }
    if (!user.active) throw inactive();
    return user;
  }

  async function bearer(token: string, operation: string): Promise<AuthUser> {
    const claims = await tokens.verify(token, operation === "refresh_operation_token" ? "refresh" : "operation");
    const user = users.getUser(claims.username);
    if (!user || !user.active) throw new ConnectError("invalid token", Code.Unauthenticated);
    return user;
  }

  return {
    async authenticate(header, remoteAddress, operation) {
      if (header) {
        const space = header.indexOf(" ");
        const scheme = space < 0 ? header : header.slice(0, space);
        const value = space < 0 ? "" : header.slice(space + 1).trim();
        if (scheme === "Basic") return basic(value);
        if (scheme === "Bearer") return bearer(value, operation);
        return undefined;
      }
      if (options.authorizeLocal && isLoopback(remoteAddress)) return users.firstSuperUser();
      return undefined;
    },
    async checkPassword(username, password) {
      const user = users.getUser(username);
      if (!user || !(await verifyPassword(password, user.record["password"]))) return undefined;
      return user;
    },
    flush() {
      verified.clear();
    },
  };
}

/** Harper's loopback test: an address containing 127.0.0. or equal to ::1. */
export function isLoopback(address: string | undefined): boolean {
  return address !== undefined && (address.includes("127.0.0.") || address === "::1");
}
