import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { scryptSync } from "node:crypto";
import { ConnectError, createClient } from "@connectrpc/connect";
import type { Transport } from "@connectrpc/connect";
import { createGrpcTransport, createGrpcWebTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { TokenService } from "../gen/harper/v1/token_service_pb.js";
import { UserService } from "../gen/harper/v1/user_service_pb.js";
import { createAuthenticator, maxBasicCredentialsLength, maxBearerTokenLength } from "../src/auth/authenticator.js";
import type { AuthUser } from "../src/auth/context.js";
import { hashPassword, verifyPassword } from "../src/auth/passwords.js";
import type { TokenIssuer } from "../src/auth/tokens.js";
import type { UserStore } from "../src/auth/user-store.js";
import type { RunningServer } from "../src/main.js";
import { basic, startTestServer, stopTestServer } from "./server-fixture.js";

// Hostile credentials (issue 13, item 4) sent on every protocol: Harper JSON (POST /), Connect
// (JSON over HTTP/1.1), gRPC (h2c) and gRPC-Web. Each must be refused with the same code and text
// everywhere, the text HarperDB 4.7.29 answers (recorded from a real HarperDB 4.7.29 with
// admin/password, Harper JSON `user_info` with the header below):
//
//   Basic admin:password\0\0            401 {"error":"Login failed"}
//   Basic admin:pass\0word              401 {"error":"Login failed"}
//   Basic admin:password\xff\xfe        401 {"error":"Login failed"}
//   Basic <10 KiB username>:password    401 {"error":"Login failed"}
//   Basic admin:<8 KiB password>        401 {"error":"Login failed"}  (up to ~12 KiB: the same)
//   Basic admin:<100 KiB password>      431, empty body: Node's header limit (16 KiB), before Harper
//   Bearer <10 KiB of "a">              401 {"error":"invalid token"}
//   create_authentication_tokens with password "password\0\0", "pass\0word", 100 KiB of "a",
//   or a 10 KiB username:               401 {"error":"invalid credentials"}
//
// Harper answers 4xx for all of them, so no 5xx is translated. The 100 KiB header never reaches
// the authenticator: the listener's header limit refuses it (431 on HTTP/1.1, a stream error on
// HTTP/2); that limit is the listener's, so this test only asserts that it is refused and that the
// server keeps answering, and the authenticator refuses it alone too (below, without the server).

let server: RunningServer;
let root: string;
const sessions: Http2SessionManager[] = [];

before(async () => {
  ({ server, root } = await startTestServer());
});

after(async () => {
  for (const session of sessions) session.abort();
  await stopTestServer(server, root);
});

const url = () => `http://127.0.0.1:${server.port}`;

/** A Basic header over raw bytes (what curl, a browser or an attacker may send). */
const basicBytes = (bytes: Buffer) => `Basic ${bytes.toString("base64")}`;
const raw = (text: string) => Buffer.from(text, "latin1");

/** What a protocol answered, normalized: the HTTP status (gRPC codes mapped to theirs) and the text. */
interface Outcome {
  status: number;
  message: string;
}

const httpStatusOfCode: Record<number, number> = { 0: 200, 16: 401, 3: 400, 7: 403 };

function outcomeOf(error: unknown): Outcome {
  if (error instanceof ConnectError) return { status: httpStatusOfCode[error.code] ?? 500 + error.code, message: error.rawMessage };
  throw error;
}

function grpcTransport(): Transport {
  const sessionManager = new Http2SessionManager(url());
  sessions.push(sessionManager);
  return createGrpcTransport({ baseUrl: url(), sessionManager });
}

/** user_info with the given Authorization header on each protocol; the username when it succeeded. */
const userInfo: Record<string, (authorization: string) => Promise<Outcome>> = {
  "Harper JSON": async (authorization) => {
    const res = await fetch(`${url()}/`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization },
      body: JSON.stringify({ operation: "user_info" }),
    });
    const text = await res.text();
    const body = (text ? JSON.parse(text) : {}) as { error?: string; username?: string };
    return { status: res.status, message: body.error ?? body.username ?? "" };
  },
  Connect: async (authorization) => {
    const res = await fetch(`${url()}/harper.v1.UserService/UserInfo`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization },
      body: "{}",
    });
    const text = await res.text();
    const body = (text ? JSON.parse(text) : {}) as { message?: string; user?: { username?: string } };
    return { status: res.status, message: body.message ?? body.user?.username ?? "" };
  },
  gRPC: async (authorization) => {
    try {
      const info = await createClient(UserService, grpcTransport()).userInfo({}, { headers: { authorization }, timeoutMs: 10_000 });
      return { status: 200, message: info.user?.username ?? "" };
    } catch (error) {
      return outcomeOf(error);
    }
  },
  "gRPC-Web": async (authorization) => {
    try {
      const client = createClient(UserService, createGrpcWebTransport({ baseUrl: url(), httpVersion: "1.1" }));
      const info = await client.userInfo({}, { headers: { authorization }, timeoutMs: 10_000 });
      return { status: 200, message: info.user?.username ?? "" };
    } catch (error) {
      return outcomeOf(error);
    }
  },
};

/** create_authentication_tokens with the credentials in the body, on each protocol. */
const createTokens: Record<string, (username: string, password: string) => Promise<Outcome>> = {
  "Harper JSON": async (username, password) => {
    const res = await fetch(`${url()}/`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ operation: "create_authentication_tokens", username, password }),
    });
    const body = (await res.json()) as { error?: string; operation_token?: string };
    return { status: res.status, message: body.error ?? (body.operation_token ? "tokens" : "") };
  },
  Connect: async (username, password) => {
    const res = await fetch(`${url()}/harper.v1.TokenService/CreateAuthenticationTokens`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username, password }),
    });
    const body = (await res.json()) as { message?: string; operationToken?: string };
    return { status: res.status, message: body.message ?? (body.operationToken ? "tokens" : "") };
  },
  gRPC: async (username, password) => {
    try {
      const tokens = await createClient(TokenService, grpcTransport()).createAuthenticationTokens({ username, password });
      return { status: 200, message: tokens.operationToken ? "tokens" : "" };
    } catch (error) {
      return outcomeOf(error);
    }
  },
  "gRPC-Web": async (username, password) => {
    try {
      const client = createClient(TokenService, createGrpcWebTransport({ baseUrl: url(), httpVersion: "1.1" }));
      const tokens = await client.createAuthenticationTokens({ username, password });
      return { status: 200, message: tokens.operationToken ? "tokens" : "" };
    } catch (error) {
      return outcomeOf(error);
    }
  },
};

async function onEveryProtocol<A extends unknown[]>(
  calls: Record<string, (...args: A) => Promise<Outcome>>,
  ...args: A
): Promise<Record<string, Outcome>> {
  const answers: Record<string, Outcome> = {};
  for (const [name, call] of Object.entries(calls)) answers[name] = await call(...args);
  return answers;
}

const everywhere = (outcome: Outcome) => Object.fromEntries(Object.keys(userInfo).map((name) => [name, outcome]));
const loginFailed = { status: 401, message: "Login failed" };
const admin = { status: 200, message: "admin" };

/** The server still answers a correct password on every protocol. */
async function stillAnswers(): Promise<void> {
  assert.deepEqual(await onEveryProtocol(userInfo, basic("admin", "password")), everywhere(admin));
}

test("a correct password works on every protocol (the baseline of every refusal below)", async () => {
  await stillAnswers();
  assert.deepEqual(await onEveryProtocol(createTokens, "admin", "password"), everywhere({ status: 200, message: "tokens" }));
});

const refusedBasic: [string, Buffer][] = [
  ["trailing NUL bytes", raw("admin:password\0\0")],
  ["one trailing NUL byte", raw("admin:password\0")],
  ["an embedded NUL byte", raw("admin:pass\0word")],
  ["bytes that are not UTF-8", raw("admin:password\xff\xfe")],
  ["a password that is only a byte that is not UTF-8", raw("admin:\xff")],
  ["a username with a trailing NUL", raw("admin\0:password")],
  ["a username that is not UTF-8", raw("admin\xff:password")],
  ["a 10 KiB username", raw(`${"u".repeat(10 * 1024)}:password`)],
  ["an 8 KiB password", raw(`admin:${"a".repeat(8 * 1024)}`)],
  ["the right password past the 4 KiB bound", raw(`admin:password${"\0".repeat(maxBasicCredentialsLength)}`)],
];

for (const [name, credentials] of refusedBasic) {
  test(`Basic credentials with ${name} are refused "Login failed" on every protocol (Harper: 401 Login failed)`, async () => {
    assert.deepEqual(await onEveryProtocol(userInfo, basicBytes(credentials)), everywhere(loginFailed));
    await stillAnswers();
  });
}

test('an oversized Bearer token is refused "invalid token" on every protocol (Harper: 401 invalid token)', async () => {
  const token = "a".repeat(10 * 1024);
  assert.ok(token.length > maxBearerTokenLength);
  assert.deepEqual(await onEveryProtocol(userInfo, `Bearer ${token}`), everywhere({ status: 401, message: "invalid token" }));
  await stillAnswers();
});

test("the tokens issued here fit the Bearer bound with room to spare, and work on every protocol", async () => {
  const body = (await (
    await fetch(`${url()}/`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ operation: "create_authentication_tokens", username: "admin", password: "password" }),
    })
  ).json()) as { operation_token: string; refresh_token: string };
  assert.ok(body.operation_token.length < maxBearerTokenLength / 4, `${body.operation_token.length} characters`);
  assert.ok(body.refresh_token.length < maxBearerTokenLength / 4);
  assert.deepEqual(await onEveryProtocol(userInfo, `Bearer ${body.operation_token}`), everywhere(admin));
});

test("a 100 KiB Basic password is refused on every protocol before the server works on it, which keeps answering", async () => {
  // Harper: 431 with an empty body (Node's 16 KiB header limit). The header limit belongs to the
  // listener; over HTTP/1.1 Node answers 431 before any handler, over HTTP/2 the stream fails.
  const header = basicBytes(raw(`admin:${"a".repeat(100 * 1024)}`));
  const answers = await onEveryProtocol(userInfo, header);
  assert.equal(answers["Harper JSON"]?.status, 431, JSON.stringify(answers));
  for (const [name, outcome] of Object.entries(answers)) assert.notEqual(outcome.status, 200, `${name}: ${JSON.stringify(outcome)}`);
  await stillAnswers();
});

const refusedBodies: [string, string, string][] = [
  ["trailing NUL characters", "admin", "password\0\0"],
  ["an embedded NUL character", "admin", "pass\0word"],
  ["an 8 KiB password", "admin", "a".repeat(8 * 1024)],
  ["the right password past the bound", "admin", `password${"\0".repeat(maxBasicCredentialsLength)}`],
  ["a 10 KiB username", "u".repeat(10 * 1024), "password"],
];

for (const [name, username, password] of refusedBodies) {
  test(`create_authentication_tokens with ${name} is refused "invalid credentials" (Harper: 401 invalid credentials)`, async () => {
    assert.deepEqual(await onEveryProtocol(createTokens, username, password), everywhere({ status: 401, message: "invalid credentials" }));
    await stillAnswers();
  });
}

test("create_authentication_tokens with a 100 KiB password is refused 401 on every protocol (Harper: 401 invalid credentials)", async () => {
  // "invalid credentials" from the credential check; the Harper JSON reader may refuse a body this
  // large from a caller without credentials before that ("Must login").
  const answers = await onEveryProtocol(createTokens, "admin", "a".repeat(100 * 1024));
  for (const [name, outcome] of Object.entries(answers)) {
    assert.equal(outcome.status, 401, `${name}: ${JSON.stringify(outcome)}`);
    assert.ok(["invalid credentials", "Must login"].includes(outcome.message), `${name}: ${JSON.stringify(outcome)}`);
  }
  await stillAnswers();
});

test("create_authentication_tokens with a lone surrogate in the password (text with no UTF-8 form) is refused", async () => {
  // Harper: 401 invalid credentials. Here the JSON decoding of the request refuses it before any
  // credential check (400 "cannot decode field ... invalid UTF8"), and the gRPC clients cannot
  // encode it at all; either way it is never taken for "password" (verifyPassword refuses lone
  // surrogates too, below).
  for (const name of ["Harper JSON", "Connect"]) {
    const outcome = await createTokens[name]!("admin", "password\uD800");
    assert.ok(outcome.status === 400 || outcome.status === 401, `${name}: ${JSON.stringify(outcome)}`);
  }
  await stillAnswers();
});

test("a password holding NUL or U+FFFD matches its exact bytes only, on every protocol", async () => {
  const add = async (username: string, password: string) => {
    const res = await fetch(`${url()}/`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: basic("admin", "password") },
      body: JSON.stringify({ operation: "add_user", username, password, role: "super_user", active: true }),
    });
    assert.equal(res.status, 200, await res.text());
  };
  await add("nul_user", "pass\0word\0");
  await add("fffd_user", "caf\uFFFD");
  const ok = (username: string) => everywhere({ status: 200, message: username });
  assert.deepEqual(await onEveryProtocol(userInfo, basicBytes(Buffer.from("nul_user:pass\0word\0"))), ok("nul_user"));
  assert.deepEqual(await onEveryProtocol(userInfo, basicBytes(Buffer.from("nul_user:pass\0word"))), everywhere(loginFailed));
  assert.deepEqual(await onEveryProtocol(userInfo, basicBytes(Buffer.from("nul_user:pass\0word\0\0"))), everywhere(loginFailed));
  assert.deepEqual(await onEveryProtocol(userInfo, basicBytes(Buffer.from("fffd_user:caf\uFFFD"))), ok("fffd_user"));
  // 0xff and 0xe9 alone are not UTF-8; decoding them as text would have made each one U+FFFD.
  assert.deepEqual(await onEveryProtocol(userInfo, basicBytes(raw("fffd_user:caf\xff"))), everywhere(loginFailed));
  assert.deepEqual(await onEveryProtocol(userInfo, basicBytes(raw("fffd_user:caf\xe9"))), everywhere(loginFailed));
  assert.deepEqual(await onEveryProtocol(createTokens, "nul_user", "pass\0word\0"), everywhere({ status: 200, message: "tokens" }));
  assert.deepEqual(await onEveryProtocol(createTokens, "nul_user", "pass\0word"), everywhere({ status: 401, message: "invalid credentials" }));
});

test("passwords verify on their exact bytes: trailing NULs, lone surrogates and U+FFFD", async () => {
  const stored = await hashPassword("password");
  assert.match(stored, /^scrypt\$sha256\$[A-Za-z0-9_-]{22}\$[0-9a-f]{128}$/);
  assert.equal(await verifyPassword("password", stored), true);
  assert.equal(await verifyPassword(Buffer.from("password"), stored), true);
  for (const wrong of ["password\0", "password\0\0", "pass\0word", "\0password", "password\uFFFD"]) {
    assert.equal(await verifyPassword(wrong, stored), false, JSON.stringify(wrong));
  }
  const withNul = await hashPassword("pw\0");
  assert.equal(await verifyPassword("pw\0", withNul), true);
  assert.equal(await verifyPassword("pw", withNul), false);
  // A lone surrogate has no UTF-8 form: it never verifies, not even against a hash of U+FFFD.
  const fffd = await hashPassword("\uFFFD");
  assert.equal(await verifyPassword("\uD800", fffd), false);
  assert.equal(await verifyPassword(Buffer.from([0xff]), fffd), false);
  assert.equal(await verifyPassword("\uFFFD", fffd), true);
  // A password over the 64-byte HMAC block still verifies, and not its SHA-256 digest.
  const long = "x".repeat(100);
  assert.equal(await verifyPassword(long, await hashPassword(long)), true);
});

test("a hash of the older form (no digest step) still verifies, and never for a trailing NUL", async () => {
  const salt = "c2FsdHNhbHRzYWx0c2FsdA";
  const key = scryptSync("password", salt, 64, { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 });
  const legacy = `scrypt$${salt}$${key.toString("hex")}`;
  // The older form's key cannot tell "password" from "password\0" (HMAC pads short keys with
  // zeros), so a password ending in NUL is refused outright against it.
  assert.equal(scryptSync("password\0\0", salt, 64, { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 }).equals(key), true);
  assert.equal(await verifyPassword("password", legacy), true);
  assert.equal(await verifyPassword("password\0", legacy), false);
  assert.equal(await verifyPassword("password\0\0", legacy), false);
  assert.equal(await verifyPassword("wrong", legacy), false);
});

test("oversized credentials are refused before the user store, a hash or a signature is touched", async () => {
  let touched = 0;
  const users: UserStore = {
    getUser: () => {
      touched++;
      return undefined;
    },
    getRole: () => undefined,
    firstSuperUser: () => undefined,
    updateUser: async () => {},
  };
  const tokens: TokenIssuer = {
    sign: async () => {
      touched++;
      return "";
    },
    verify: async () => {
      touched++;
      throw new Error("verify must not run");
    },
  };
  const auth = createAuthenticator({ users, tokens, authorizeLocal: false, cacheTtlMs: 30_000 });
  const refused = (header: string, message: string) =>
    assert.rejects(auth.authenticate(header, "10.0.0.1", "user_info"), (e: unknown) => e instanceof ConnectError && e.rawMessage === message);
  await refused(basicBytes(raw(`admin:${"a".repeat(100 * 1024)}`)), "Login failed");
  await refused(`Basic ${"A".repeat(maxBasicCredentialsLength + 4)}`, "Login failed");
  await refused(`Bearer ${"a".repeat(maxBearerTokenLength + 1)}`, "invalid token");
  const none: AuthUser | undefined = await auth.checkPassword("admin", "a".repeat(100 * 1024));
  assert.equal(none, undefined);
  assert.equal(await auth.checkPassword("u".repeat(10 * 1024), "password"), undefined);
  assert.equal(touched, 0);
  // At the bound, the store is asked (and the unknown user refused as usual).
  await refused(`Basic ${"A".repeat(maxBasicCredentialsLength)}`, "Login failed");
  assert.equal(touched, 1);
});
