import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConnectError } from "@connectrpc/connect";
import { createAuthenticator } from "../src/auth/authenticator.js";
import type { Authenticator } from "../src/auth/authenticator.js";
import { hashPassword } from "../src/auth/passwords.js";
import { createStorageUserStore, ensureAdmin } from "../src/auth/system-users.js";
import { ensureTokenKeys } from "../src/auth/token-keys.js";
import { createTokenIssuer } from "../src/auth/tokens.js";
import type { TokenIssuer } from "../src/auth/tokens.js";
import { openStorage } from "../src/storage/index.js";
import type { Storage } from "../src/storage/index.js";

// Every authentication failure of spec auth-users-roles.md §1.4, against users stored in a real
// system.hdb_user table.

let root: string;
let storage: Storage;
let tokens: TokenIssuer;
let auth: (authorizeLocal?: boolean) => Authenticator;

before(async () => {
  root = mkdtempSync(join(tmpdir(), "harper-auth-"));
  storage = await openStorage({ path: join(root, "database") });
  assert.equal(await ensureAdmin(storage, "admin", "password"), true);
  assert.equal(await ensureAdmin(storage, "admin", "other"), false, "the admin is created once");
  await storage.table("system", "hdb_user")!.put({
    username: "sleepy",
    password: await hashPassword("pw"),
    role: "super_user",
    active: false,
  });
  tokens = createTokenIssuer(await ensureTokenKeys(join(root, "keys")));
  const users = createStorageUserStore(storage);
  auth = (authorizeLocal = false) => createAuthenticator({ users, tokens, authorizeLocal, cacheTtlMs: 30_000 });
});
after(async () => {
  await storage.close();
  rmSync(root, { recursive: true, force: true });
});

const basic = (credentials: string) => `Basic ${Buffer.from(credentials).toString("base64")}`;
const fails = (promise: Promise<unknown>, message: string) =>
  assert.rejects(promise, (e: unknown) => e instanceof ConnectError && e.rawMessage === message);

test("first start creates the super_user and cluster_user roles and the admin with a hashed password", () => {
  const record = storage.table("system", "hdb_user")!.get("admin")!;
  assert.equal(record["role"], "super_user");
  assert.notEqual(record["password"], "password");
  assert.ok(storage.table("system", "hdb_role")!.get("super_user"));
  assert.ok(storage.table("system", "hdb_role")!.get("cluster_user"));
});

test("Basic credentials authenticate; the password may contain colons", async () => {
  const user = await auth().authenticate(basic("admin:password"), "10.0.0.1", "user_info");
  assert.equal(user?.username, "admin");
  assert.equal(user?.role?.permission["super_user"], true);
});

test("Basic failures answer Harper's texts", async () => {
  const a = auth();
  await fails(a.authenticate(basic("admin:wrong"), undefined, "user_info"), "Login failed");
  await fails(a.authenticate(basic("nobody:x"), undefined, "user_info"), "Login failed");
  await fails(a.authenticate(basic("admin"), undefined, "user_info"), "Login failed");
  await fails(a.authenticate("Basic !!!not-base64!!!", undefined, "user_info"), "Invalid character");
  await fails(a.authenticate(basic("sleepy:pw"), undefined, "user_info"), "Cannot complete request: User is inactive");
  assert.equal(await a.authenticate(basic(":"), undefined, "user_info"), undefined, "empty user and password: Must login");
  assert.equal(await a.authenticate('Digest username="admin"', undefined, "user_info"), undefined);
  assert.equal(await a.authenticate("bearer x", undefined, "user_info"), undefined, "schemes are case-sensitive");
});

test("Bearer tokens: operation tokens for operations, refresh tokens only to refresh", async () => {
  const claims = { username: "admin", super_user: true, cluster_user: false };
  const operation = await tokens.sign("operation", claims, 60);
  const refresh = await tokens.sign("refresh", claims, 60);
  const a = auth();
  assert.equal((await a.authenticate(`Bearer ${operation}`, undefined, "user_info"))?.username, "admin");
  assert.equal((await a.authenticate(`Bearer ${refresh}`, undefined, "refresh_operation_token"))?.username, "admin");
  await fails(a.authenticate(`Bearer ${refresh}`, undefined, "user_info"), "invalid token");
  // refresh_operation_token also accepts an operation token, with the refresh token in the body.
  assert.equal((await a.authenticate(`Bearer ${operation}`, undefined, "refresh_operation_token"))?.username, "admin");
  await fails(a.authenticate("Bearer ", undefined, "user_info"), "invalid token");
  const inactive = await tokens.sign("operation", { ...claims, username: "sleepy" }, 60);
  await fails(a.authenticate(`Bearer ${inactive}`, undefined, "user_info"), "invalid token");
});

test("authorizeLocal makes a loopback request without credentials the first super user, and only then", async () => {
  assert.equal((await auth(true).authenticate(null, "127.0.0.1", "user_info"))?.username, "admin");
  assert.equal((await auth(true).authenticate(null, "::1", "user_info"))?.username, "admin");
  assert.equal(await auth(true).authenticate(null, "10.1.2.3", "user_info"), undefined);
  assert.equal(await auth(false).authenticate(null, "127.0.0.1", "user_info"), undefined);
  await fails(auth(true).authenticate(basic("admin:wrong"), "127.0.0.1", "user_info"), "Login failed");
});

test("a resolution that started before a flush is not cached", async () => {
  const a = auth();
  const pending = a.authenticate(basic("admin:password"), undefined, "user_info");
  a.flush(); // e.g. the password changed while the check was running
  assert.equal((await pending)?.username, "admin");
  await storage.table("system", "hdb_user")!.put({ username: "admin", password: await hashPassword("changed") });
  await fails(a.authenticate(basic("admin:password"), undefined, "user_info"), "Login failed");
  await storage.table("system", "hdb_user")!.put({ username: "admin", password: await hashPassword("password") });
});
