import { Code, ConnectError } from "@connectrpc/connect";
import type { ServiceImpl } from "@connectrpc/connect";
import { toJson } from "@bufbuild/protobuf";
import type { JsonValue } from "@bufbuild/protobuf";
import { ValueSchema } from "@bufbuild/protobuf/wkt";
import type { TokenService } from "../../gen/harper/v1/token_service_pb.js";
import { maxBearerTokenLength } from "../auth/authenticator.js";
import type { Authenticator } from "../auth/authenticator.js";
import type { AuthUser } from "../auth/context.js";
import { isSuperUser, kUser } from "../auth/context.js";
import type { TokenIssuer } from "../auth/tokens.js";
import { hashRefreshToken, matchesRefreshToken } from "../auth/tokens.js";
import type { UserStore } from "../auth/user-store.js";

/** What the token operations need. */
export interface TokenServiceDeps {
  authenticator: Authenticator;
  tokens: TokenIssuer;
  users: UserStore;
  /** Lifetime of an operation token, seconds (authentication.operationTokenTimeout). */
  operationTokenSeconds: number;
  /** Lifetime of a refresh token, seconds (authentication.refreshTokenTimeout). */
  refreshTokenSeconds: number;
  /** Parses a duration ("1d", "30m", 3600) into seconds; throws on nonsense. */
  parseDuration: (value: string | number) => number;
}

/** The built operations of TokenService: create_authentication_tokens, refresh_operation_token. */
export function createTokenService(deps: TokenServiceDeps): Omit<ServiceImpl<typeof TokenService>, "login" | "logout"> {
  const invalidCredentials = () => new ConnectError("invalid credentials", Code.Unauthenticated);
  const claimsOf = (user: AuthUser) => ({
    username: user.username,
    super_user: isSuperUser(user),
    cluster_user: user.role?.permission["cluster_user"] === true,
  });
  return {
    async createAuthenticationTokens(request, context) {
      let lifetime = deps.operationTokenSeconds;
      if (request.expiresIn !== undefined) lifetime = expiresIn(toJson(ValueSchema, request.expiresIn), deps.parseDuration);
      let user: AuthUser | undefined;
      if (request.username === undefined && request.password === undefined) {
        user = context.values.get(kUser);
        if (!user) throw new ConnectError("Must login", Code.Unauthenticated);
      } else {
        if (request.username === undefined || request.password === undefined) throw invalidCredentials();
        user = await deps.authenticator.checkPassword(request.username, request.password);
        if (!user || !user.active) throw invalidCredentials();
      }
      const claims = request.role === undefined ? claimsOf(user) : { ...claimsOf(user), role: request.role };
      const operationToken = await deps.tokens.sign("operation", claims, lifetime);
      const refreshToken = await deps.tokens.sign("refresh", claims, deps.refreshTokenSeconds);
      try {
        await deps.users.updateUser(user.username, { refresh_token: hashRefreshToken(refreshToken) });
      } catch {
        throw new ConnectError("unable to store refresh_token", Code.Internal);
      }
      return { operationToken, refreshToken };
    },

    async refreshOperationToken(request, context) {
      const header = context.requestHeader.get("authorization");
      const fromHeader = header?.startsWith("Bearer ") ? header.slice(7).trim() : undefined;
      const token = request.refreshToken ?? fromHeader;
      if (token === undefined || token === "") {
        throw new ConnectError("'refresh_token' is required", Code.InvalidArgument);
      }
      // The Bearer bound of the authenticator, for the token from the body or the header alike.
      if (token.length > maxBearerTokenLength) throw new ConnectError("invalid token", Code.Unauthenticated);
      const claims = await deps.tokens.verify(token, "refresh");
      const user = deps.users.getUser(claims.username);
      if (!user || !user.active || !matchesRefreshToken(token, user.record["refresh_token"])) {
        throw new ConnectError("invalid token", Code.Unauthenticated);
      }
      return { operationToken: await deps.tokens.sign("operation", claimsOf(user), deps.operationTokenSeconds) };
    },
  };
}

/**
 * The lifetime `expires_in` asks for, in seconds, with HarperDB 4.7.29's answers (its 500s
 * answered 400 here): a whole number of seconds, zero and negative ones included (the token is
 * then expired at once, as Harper's is); a timespan string ("1d", "20h", "90"); anything else
 * refused with jsonwebtoken's texts, which Harper passes on.
 */
function expiresIn(value: JsonValue, parseDuration: (value: string | number) => number): number {
  const refuse = (message: string) => new ConnectError(message, Code.InvalidArgument);
  if (value === "") throw refuse("'expires_in' is not allowed to be empty");
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value) && Number.isInteger(value)) throw refuse("'expires_in' must be a safe number");
    if (!Number.isInteger(value)) throw refuse('"expiresIn" should be a number of seconds or string representing a timespan');
    return value;
  }
  if (typeof value !== "string") throw refuse("'expires_in' must be one of [string, number]");
  try {
    return parseDuration(value);
  } catch {
    throw refuse('"expiresIn" should be a number of seconds or string representing a timespan eg: "1d", "20h", 60');
  }
}
