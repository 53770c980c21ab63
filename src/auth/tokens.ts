import { createHash, randomBytes } from "node:crypto";
import { SignJWT, errors as joseErrors, jwtVerify } from "jose";
import type { JWTPayload } from "jose";
import { Code, ConnectError } from "@connectrpc/connect";
import type { TokenKeys } from "./token-keys.js";

/** The claims harper-ops puts in its tokens (Harper's shape). */
export interface TokenClaims extends JWTPayload {
  username: string;
  super_user: boolean;
  cluster_user: boolean;
  role?: string;
}

/** Which kind of token: the `sub` claim. */
export type TokenKind = "operation" | "refresh";

/** Signs and verifies operation and refresh tokens (RS256, jose). */
export interface TokenIssuer {
  /** Signs a token of the given kind; `lifetimeSeconds` from config or `expires_in`. */
  sign(kind: TokenKind, claims: Omit<TokenClaims, "iat" | "exp" | "sub">, lifetimeSeconds: number): Promise<string>;
  /**
   * Verifies a token of the given kind. Throws UNAUTHENTICATED "token expired" for an expired one
   * and "invalid token" for anything else wrong (signature, kind, a `role` claim).
   */
  verify(token: string, kind: TokenKind): Promise<TokenClaims>;
}

/** Creates the token issuer over the server's key pair. */
export function createTokenIssuer(keys: TokenKeys): TokenIssuer {
  return {
    async sign(kind, claims, lifetimeSeconds) {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ ...claims })
        .setProtectedHeader({ alg: "RS256", typ: "JWT" })
        .setIssuedAt(now)
        .setExpirationTime(now + Math.round(lifetimeSeconds))
        .setSubject(kind)
        // A token id, so that two tokens issued in the same second differ and a new refresh
        // token really supersedes the previous one.
        .setJti(randomBytes(12).toString("base64url"))
        .sign(keys.privateKey);
    },
    async verify(token, kind) {
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, keys.publicKey, { algorithms: ["RS256"], subject: kind }));
      } catch (error) {
        if (error instanceof joseErrors.JWTExpired) throw new ConnectError("token expired", Code.Unauthenticated);
        throw new ConnectError("invalid token", Code.Unauthenticated);
      }
      if (typeof payload["username"] !== "string" || payload["role"] !== undefined) {
        throw new ConnectError("invalid token", Code.Unauthenticated);
      }
      return payload as TokenClaims;
    },
  };
}

/** Hashes a refresh token for storage in hdb_user.refresh_token (salted sha256). */
export function hashRefreshToken(token: string, salt = randomBytes(8).toString("hex")): string {
  return `${salt}$${createHash("sha256").update(salt + token).digest("hex")}`;
}

/** True when `token` is the refresh token whose hash is stored. */
export function matchesRefreshToken(token: string, stored: unknown): boolean {
  if (typeof stored !== "string") return false;
  const [salt] = stored.split("$");
  return salt !== undefined && hashRefreshToken(token, salt) === stored;
}
