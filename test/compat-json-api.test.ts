import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Code, ConnectError, createContextValues } from "@connectrpc/connect";
import type { AuthUser } from "../src/auth/context.js";
import { kRemoteAddress } from "../src/auth/context.js";
import type { Authenticator } from "../src/auth/authenticator.js";
import { createAuthInterceptor } from "../src/auth/interceptor.js";
import { services } from "../src/contract/index.js";
import { createCompatHandler } from "../src/compat/compat-handler.js";
import { createDispatcher } from "../src/dispatch/dispatcher.js";
import { route, unbuilt } from "../src/dispatch/route.js";
import { UserService } from "../gen/harper/v1/user_service_pb.js";
import { userInfo } from "../src/services/user-service.js";

// The JSON adapter over real HTTP, with the real interceptor and services and a stand-in
// authenticator: admin:pw is a super user, reader:pw a user without super_user.

const superRole = { id: "super_user", role: "super_user", permission: { super_user: true }, record: {} };
const readerRole = { id: "reader", role: "reader", permission: { super_user: false }, record: {} };
const users: Record<string, AuthUser> = {
  admin: { username: "admin", active: true, role: superRole, record: { __createdtime__: 1, __updatedtime__: 2 } },
  reader: { username: "reader", active: true, role: readerRole, record: {} },
};
let authentications = 0;
const authenticator: Authenticator = {
  async authenticate(header) {
    authentications++;
    if (!header) return undefined;
    const [scheme, value = ""] = header.split(" ");
    if (scheme !== "Basic") return undefined;
    const [name, password] = Buffer.from(value, "base64").toString().split(":");
    const user = users[name!];
    if (!user || password !== "pw") throw new ConnectError("Login failed", Code.Unauthenticated);
    return user;
  },
  async checkPassword() {
    return undefined;
  },
  flush() {},
  actingAs(username) {
    return users[username]!;
  },
  anonymous() {
    return true;
  },
};

// Every service unbuilt but user_info.
const dispatcher = createDispatcher({
  interceptors: [createAuthInterceptor(authenticator)],
  routes: () =>
    services.map((service) =>
      service === UserService
        ? route(UserService, { userInfo }, "listRoles", "addRole", "alterRole", "dropRole", "listUsers", "addUser", "alterUser", "dropUser")
        : unbuilt(service),
    ),
});
const handler = createCompatHandler({
  dispatch: dispatcher.dispatch,
  maxBodyBytes: 1024,
  maxJsonDepth: 20,
  authenticate: (req) => authenticator.authenticate(typeof req.headers.authorization === "string" ? req.headers.authorization : null, req.socket.remoteAddress, ""),
  contextValues: (req) => createContextValues().set(kRemoteAddress, req.socket.remoteAddress),
});

let server: Server;
let url: string;
before(async () => {
  server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

const basic = (user: string, password = "pw") => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

async function post(body: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { method: "POST", body, headers: { "content-type": "application/json", ...headers } });
  return { status: res.status, body: await res.json() };
}

test("a wrong Basic password is checked once per request, before the body, and answered 401", async () => {
  authentications = 0;
  const res = await post(JSON.stringify({ operation: "user_info" }), { authorization: basic("admin", "wrong") });
  assert.deepEqual(res, { status: 401, body: { error: "Login failed" } });
  assert.equal(authentications, 1);
});

test("user_info answers the caller with its role and no secrets", async () => {
  const res = await post(JSON.stringify({ operation: "user_info" }), { authorization: basic("admin") });
  assert.equal(res.status, 200);
  assert.deepEqual(res.body, {
    username: "admin",
    active: true,
    role: { permission: { super_user: true }, role: "super_user", id: "super_user", __updatedtime__: 0, __createdtime__: 0 },
  });
});

test("an operation of a later issue answers 501 not implemented yet to a caller who may call it", async () => {
  const res = await post(JSON.stringify({ operation: "describe_all" }), { authorization: basic("reader") });
  assert.deepEqual(res, { status: 501, body: { error: "Operation 'describe_all' is not implemented yet" } });
  const alias = await post(JSON.stringify({ operation: "search_by_hash" }), { authorization: basic("reader") });
  assert.deepEqual(alias.body, { error: "Operation 'search_by_id' is not implemented yet" });
});

test("a super-user operation answers Harper's 403 with the internal name to anyone else", async () => {
  const res = await post(JSON.stringify({ operation: "list_users" }), { authorization: basic("reader") });
  assert.equal(res.status, 403);
  assert.deepEqual(res.body, {
    error: "This operation is not authorized due to role restrictions and/or invalid database items",
    unauthorized_access: ["Operation 'listUsersExternal' is restricted to 'super_user' roles"],
    invalid_schema_items: [],
  });
});

test("authentication comes before everything: no credentials is 401 Must login, bad ones Login failed", async () => {
  assert.deepEqual(await post(JSON.stringify({ operation: "list_users" })), { status: 401, body: { error: "Must login" } });
  assert.deepEqual(await post(JSON.stringify({ operation: "user_info" }), { authorization: basic("admin", "no") }), {
    status: 401,
    body: { error: "Login failed" },
  });
});

test("malformed bodies get Harper's messages and 4xx, never a stack trace", async () => {
  const cases: Array<[string, Record<string, string>, number, unknown]> = [
    ['{"operation": "describe_all",', {}, 400, { error: "Expected double-quoted property name in JSON at position 29" }],
    ["{'operation': 'describe_all'}", {}, 400, { error: "Expected property name or '}' in JSON at position 1" }],
    ["", {}, 400, { error: "Body cannot be empty when content-type is set to 'application/json'" }],
    ["{}", {}, 400, { statusCode: 400, error: "Bad Request", message: "Request body must include an 'operation' property." }],
    ['[{"operation":"describe_all"}]', {}, 400, { error: "Request body must include an 'operation' property." }],
    ["null", {}, 400, { statusCode: 400, error: "Bad Request", message: "Cannot read properties of null (reading 'operation')" }],
    ['{"foo":1}', {}, 400, { error: "Request body must include an 'operation' property." }],
    ['{"operation":"nope"}', {}, 400, { error: "Operation 'nope' not found" }],
    ['{"operation":"Describe_All"}', {}, 400, { error: "Operation 'Describe_All' not found" }],
    ['{"operation":42}', {}, 400, { error: "e.body?.operation?.startsWith is not a function" }],
    [
      '{"operation":"describe_all"}',
      { "content-type": "text/plain" },
      400,
      { statusCode: 400, error: "Bad Request", message: "Request body must include an 'operation' property." },
    ],
    ["operation=describe_all", { "content-type": "application/x-www-form-urlencoded" }, 415, {
      error: "Unsupported Media Type: application/x-www-form-urlencoded",
    }],
    [JSON.stringify({ operation: "user_info", pad: "x".repeat(2000) }), {}, 413, {
      error: "Request body is larger than the limit of 1024 bytes",
    }],
  ];
  for (const [body, headers, status, expected] of cases) {
    const res = await post(body, { authorization: basic("admin"), ...headers });
    assert.deepEqual(res, { status, body: expected }, body);
  }
});

test("a value of the wrong type answers Harper's validation message with 400", async () => {
  const res = await post(JSON.stringify({ operation: "create_authentication_tokens", username: 5 }));
  assert.deepEqual(res, { status: 400, body: { error: "'username' must be a string" } });
});

test("a badly typed body is answered only after authentication: 401 first, then the 400", async () => {
  const body = JSON.stringify({ operation: "insert", table: "t", records: { id: 1 } });
  assert.deepEqual(await post(body), { status: 401, body: { error: "Must login" } });
  assert.deepEqual(await post(body, { authorization: basic("admin") }), {
    status: 400,
    body: { error: "'records' must be an array" },
  });
});
