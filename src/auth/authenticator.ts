import { Code, ConnectError } from "@connectrpc/connect";
import type { AuthUser } from "./context.js";
import { verifyPassword } from "./passwords.js";
import type { TokenIssuer } from "./tokens.js";
import type { UserStore } from "./user-store.js";

/**
 * The longest `Basic` value accepted, in base64 characters (4 KiB): longer ones are answered
 * "Login failed" without any hashing work.
 */
export const maxBasicCredentialsLength = 4096;

/**
 * The most bytes `username:password` may have (what maxBasicCredentialsLength base64 characters
 * decode to); checkPassword holds body credentials (create_authentication_tokens) to the same.
 */
export const maxCredentialBytes = (maxBasicCredentialsLength / 4) * 3;

/**
 * The longest `Bearer` token accepted, in characters (8 KiB): longer ones are answered
 * "invalid token" without verifying a signature. The tokens issued here are RS256 JWTs of about
 * 600 characters with a 2048-bit key (a 4096-bit one adds 340) plus 4/3 of the username's bytes;
 * a username that fits maxCredentialBytes still fits.
 */
export const maxBearerTokenLength = 8192;

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** The text of UTF-8 bytes, or undefined when they are not valid UTF-8. */
function strictUtf8(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** Resolves the caller of a request from its Authorization header and address. */
export interface Authenticator {
  /**
   * Returns the caller, or undefined when the request carries no usable credentials (Harper's
   * "Must login"). Throws UNAUTHENTICATED with Harper's message for bad credentials.
   * `operation` selects the token kind: a Bearer token is a refresh token only for
   * refresh_operation_token.
   */
  authenticate(header: string | null, remoteAddress: string | undefined, operation: string): Promise<AuthUser | undefined>;
  /**
   * Checks a username and password (token exchange, login) on their exact bytes; undefined when
   * they do not match or together exceed maxCredentialBytes (refused before any hashing).
   */
  checkPassword(username: string, password: string): Promise<AuthUser | undefined>;
  /**
   * Whether a request from this address that carries no Authorization header has no identity:
   * true unless authentication.authorizeLocal makes a loopback caller the super user.
   */
  anonymous(remoteAddress: string | undefined): boolean;
  /**
   * The user an internal call runs for, as stored now. UNAUTHENTICATED when the user no longer
   * exists or is inactive, so a job never outlives its creator's access.
   */
  actingAs(username: string): AuthUser;
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
  // Authorization header -> the user it resolved to, until the expiry (authentication.cacheTTL).
  // Only successful resolutions are kept; flush() empties it when users or roles change.
  const resolved = new Map<string, { user: AuthUser; expiry: number }>();
  // Bumped by flush(): a resolution that started before a flush is not cached, so a check racing
  // a password change or a drop cannot put the old user back.
  let generation = 0;
  const loginFailed = () => new ConnectError("Login failed", Code.Unauthenticated);
  const inactive = () => new ConnectError("Cannot complete request: User is inactive", Code.Unauthenticated);

  async function basic(credentials: string): Promise<AuthUser | undefined> {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(credentials)) {
      throw new ConnectError("Invalid character", Code.Unauthenticated);
    }
    // The credentials stay bytes: decoding them as text would replace every byte sequence that
    // is not UTF-8 with U+FFFD, so that "pw\xff" and "pw\xfe" became the same password.
    const decoded = Buffer.from(credentials, "base64");
    const colon = decoded.indexOf(0x3a);
    const name = colon < 0 ? decoded : decoded.subarray(0, colon);
    const password = colon < 0 ? new Uint8Array(0) : decoded.subarray(colon + 1);
    if (name.length === 0 && password.length === 0) return undefined;
    const username = strictUtf8(name);
    if (username === undefined) throw loginFailed();
    const user = users.getUser(username);
    if (!user) throw loginFailed();
    if (!(await verifyPassword(password, user.record["password"]))) throw loginFailed();
    if (!user.active) throw inactive();
    return user;
  }

  async function bearer(token: string, operation: string): Promise<{ user: AuthUser; expiresAt: number }> {
    // For refresh_operation_token the Bearer value is normally the refresh token itself; an
    // operation token is accepted too, with the refresh token in the body (spec §2.2).
    const claims =
      operation === "refresh_operation_token"
        ? await tokens.verify(token, "refresh").catch(() => tokens.verify(token, "operation"))
        : await tokens.verify(token, "operation");
    const stored = users.getUser(claims.username);
    if (stored && !stored.active) throw new ConnectError("invalid token", Code.Unauthenticated);
    // The token of a user dropped since it was issued resolves, as in Harper, to that user
    // without a role: every operation then answers the 403 "has no role or permissions".
    const user = stored ?? { username: claims.username, active: true, role: undefined, record: {} };
    return { user, expiresAt: (claims.exp ?? 0) * 1000 };
  }

  return {
    async authenticate(header, remoteAddress, operation) {
      if (header) {
        const space = header.indexOf(" ");
        const scheme = space < 0 ? header : header.slice(0, space);
        const value = space < 0 ? "" : header.slice(space + 1).trim();
        if (scheme !== "Basic" && scheme !== "Bearer") return undefined;
        // Oversized credentials are refused before the cache, the hash or the signature see them,
        // with the answer Harper gives for wrong ones of that scheme.
        if (scheme === "Basic" && value.length > maxBasicCredentialsLength) throw loginFailed();
        if (scheme === "Bearer" && value.length > maxBearerTokenLength) {
          throw new ConnectError("invalid token", Code.Unauthenticated);
        }
        const key = scheme === "Bearer" && operation === "refresh_operation_token" ? `refresh ${header}` : header;
        const cached = resolved.get(key);
        const startedIn = generation;
        if (cached && cached.expiry > Date.now()) return cached.user;
        let user: AuthUser | undefined;
        let expiry = Date.now() + options.cacheTtlMs;
        if (scheme === "Basic") {
          user = await basic(value);
        } else {
          const verified = await bearer(value, operation);
          user = verified.user;
          expiry = Math.min(expiry, verified.expiresAt); // never past the token's own expiry
        }
        if (user && startedIn === generation) {
          if (resolved.size > 10_000) resolved.clear();
          resolved.set(key, { user, expiry });
        }
        return user;
      }
      if (options.authorizeLocal && isLoopback(remoteAddress)) return users.firstSuperUser();
      return undefined;
    },
    async checkPassword(username, password) {
      if (Buffer.byteLength(username) + 1 + Buffer.byteLength(password) > maxCredentialBytes) return undefined;
      const user = users.getUser(username);
      if (!user || !(await verifyPassword(password, user.record["password"]))) return undefined;
      return user;
    },
    anonymous(remoteAddress) {
      return !(options.authorizeLocal && isLoopback(remoteAddress));
    },
    actingAs(username) {
      const user = users.getUser(username);
      if (!user) throw loginFailed();
      if (!user.active) throw inactive();
      return user;
    },
    flush() {
      generation++;
      resolved.clear();
    },
  };
}

/** Harper's loopback test: an address containing 127.0.0. or equal to ::1. */
export function isLoopback(address: string | undefined): boolean {
  return address !== undefined && (address.includes("127.0.0.") || address === "::1");
}
