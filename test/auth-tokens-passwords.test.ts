import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConnectError } from "@connectrpc/connect";
import { hashPassword, verifyPassword } from "../src/auth/passwords.js";
import { ensureTokenKeys } from "../src/auth/token-keys.js";
import { createTokenIssuer, hashRefreshToken, matchesRefreshToken } from "../src/auth/tokens.js";

const claims = { username: "admin", super_user: true, cluster_user: false };

test("a password verifies against its salted hash and nothing else", async () => {
  const stored = await hashPassword("s3cret:with:colons");
  assert.match(stored, /^scrypt\$/);
  assert.notEqual(stored, await hashPassword("s3cret:with:colons"), "salted");
  assert.equal(await verifyPassword("s3cret:with:colons", stored), true);
  assert.equal(await verifyPassword("wrong", stored), false);
  assert.equal(await verifyPassword("s3cret:with:colons", undefined), false);
});

test("token keys are created once in keys/ with a protected private key, then reused", async () => {
  const dir = mkdtempSync(join(tmpdir(), "harper-keys-"));
  try {
    const first = await ensureTokenKeys(dir);
    assert.equal(statSync(join(dir, ".jwtPrivate.key")).mode & 0o777, 0o600);
    const second = await ensureTokenKeys(dir);
    assert.equal(
      first.publicKey.export({ type: "spki", format: "pem" }),
      second.publicKey.export({ type: "spki", format: "pem" }),
    );
    const issuer = createTokenIssuer(second);
    const token = await createTokenIssuer(first).sign("operation", claims, 60);
    assert.equal((await issuer.verify(token, "operation")).username, "admin");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("tokens of the wrong kind, expired, forged or carrying a role are refused with Harper's texts", async () => {
  const dir = mkdtempSync(join(tmpdir(), "harper-keys-"));
  try {
    const issuer = createTokenIssuer(await ensureTokenKeys(dir));
    const refresh = await issuer.sign("refresh", claims, 60);
    const reject = async (token: string, kind: "operation" | "refresh", message: string) =>
      assert.rejects(issuer.verify(token, kind), (e: unknown) => e instanceof ConnectError && e.rawMessage === message);
    await reject(refresh, "operation", "invalid token");
    await reject("garbage.token.value", "operation", "invalid token");
    await reject(await issuer.sign("operation", { ...claims, role: "x" }, 60), "operation", "invalid token");
    const expired = await issuer.sign("operation", claims, 1);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    await reject(expired, "operation", "token expired");
    assert.equal((await issuer.verify(refresh, "refresh")).username, "admin");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("only the stored refresh token matches its hash", () => {
  const stored = hashRefreshToken("token-a");
  assert.equal(matchesRefreshToken("token-a", stored), true);
  assert.equal(matchesRefreshToken("token-b", stored), false);
  assert.equal(matchesRefreshToken("token-a", undefined), false);
});
