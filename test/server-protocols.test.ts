import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { request as httpsRequest } from "node:https";
import { join } from "node:path";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import type { Client, Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { ClusterService } from "../gen/harper/v1/cluster_service_pb.js";
import { DatabaseService } from "../gen/harper/v1/database_service_pb.js";
import { NoSqlService } from "../gen/harper/v1/nosql_service_pb.js";
import { UserService } from "../gen/harper/v1/user_service_pb.js";
import { fromJson } from "@bufbuild/protobuf";
import { ListValueSchema } from "@bufbuild/protobuf/wkt";
import type { RunningServer } from "../src/main.js";
import { basic, startTestServer, stopTestServer } from "./server-fixture.js";

// One real server (fresh root, LMDB on disk, TLS on a second port) answering the same RPC on every
// protocol: Harper JSON, Connect JSON and binary, gRPC over h2c, gRPC-Web, and all of them over TLS.

let root: string;
let server: RunningServer;
let ca: string;
const sessions: Http2SessionManager[] = [];
const admin = { authorization: basic("admin", "password") };

before(async () => {
  ({ server, root } = await startTestServer({ OPERATIONSAPI_NETWORK_SECUREPORT: "0" }));
  ca = readFileSync(join(root, "keys", "ca.pem"), "utf8");
});

after(async () => {
  for (const session of sessions) session.abort();
  await stopTestServer(server, root);
});

const plain = () => `http://127.0.0.1:${server.port}`;
const secure = () => `https://localhost:${server.securePort}`;

function h2(baseUrl: string, tls: boolean): Http2SessionManager {
  const manager = new Http2SessionManager(baseUrl, {}, tls ? { ca } : {});
  sessions.push(manager);
  return manager;
}

/** Every transport the server must answer, by name. */
function transports(): Record<string, Transport> {
  return {
    "Connect JSON over HTTP/1.1": createConnectTransport({ baseUrl: plain(), httpVersion: "1.1" }),
    "Connect binary over h2c": createConnectTransport({
      baseUrl: plain(),
      httpVersion: "2",
      useBinaryFormat: true,
      sessionManager: h2(plain(), false),
    }),
    "gRPC over h2c": createGrpcTransport({ baseUrl: plain(), sessionManager: h2(plain(), false) }),
    "gRPC-Web over HTTP/1.1": createGrpcWebTransport({ baseUrl: plain(), httpVersion: "1.1" }),
    "gRPC over TLS (h2)": createGrpcTransport({ baseUrl: secure(), sessionManager: h2(secure(), true) }),
    "Connect JSON over TLS (HTTP/1.1)": createConnectTransport({ baseUrl: secure(), httpVersion: "1.1", nodeOptions: { ca } }),
  };
}

async function postJson(body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${plain()}/`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

test("the Harper JSON API answers user_info for the super user created on first start", async () => {
  const res = await postJson({ operation: "user_info" }, admin);
  assert.equal(res.status, 200);
  assert.equal(res.body["username"], "admin");
  assert.deepEqual((res.body["role"] as Record<string, unknown>)["permission"], { super_user: true });
});

test("the Harper JSON API answers over TLS too", async () => {
  const body = await new Promise<string>((resolve, reject) => {
    const req = httpsRequest(
      `${secure()}/`,
      { method: "POST", ca, headers: { "content-type": "application/json", ...admin } },
      (res) => {
        let text = "";
        res.on("data", (chunk: Buffer) => (text += chunk.toString()));
        res.on("end", () => resolve(text));
      },
    );
    req.on("error", reject);
    req.end(JSON.stringify({ operation: "user_info" }));
  });
  assert.equal(JSON.parse(body).username, "admin");
});

test("every RPC protocol answers the same user_info, on the plain port and over TLS", async () => {
  for (const [name, transport] of Object.entries(transports())) {
    const client: Client<typeof UserService> = createClient(UserService, transport);
    const res = await client.userInfo({}, { headers: admin });
    assert.equal(res.user?.username, "admin", name);
    assert.equal(res.user?.role?.id, "super_user", name);
  }
});

test("every protocol refuses a call without credentials or with a wrong password, before anything else", async () => {
  for (const [name, transport] of Object.entries(transports())) {
    const client = createClient(UserService, transport);
    await assert.rejects(
      client.userInfo({}),
      (e: unknown) => e instanceof ConnectError && e.code === Code.Unauthenticated && e.rawMessage === "Must login",
      name,
    );
    await assert.rejects(
      client.userInfo({}, { headers: { authorization: basic("admin", "nope") } }),
      (e: unknown) => e instanceof ConnectError && e.code === Code.Unauthenticated && e.rawMessage === "Login failed",
      name,
    );
  }
  assert.deepEqual(await postJson({ operation: "user_info" }), { status: 401, body: { error: "Must login" } });
  assert.deepEqual(await postJson({ operation: "user_info" }, { authorization: basic("nobody", "x") }), {
    status: 401,
    body: { error: "Login failed" },
  });
});

test("an operation of a later issue answers UNIMPLEMENTED over gRPC and 501 over JSON", async () => {
  const client = createClient(ClusterService, transports()["gRPC over h2c"]!);
  await assert.rejects(
    client.clusterStatus({}, { headers: admin }),
    (e: unknown) => e instanceof ConnectError && e.code === Code.Unimplemented,
  );
  assert.deepEqual(await postJson({ operation: "cluster_status" }, admin), {
    status: 501,
    body: { error: "Operation 'cluster_status' is not implemented yet" },
  });
});

test("a gRPC client creates a table, inserts and searches records as google.protobuf.Struct", async () => {
  const databases = createClient(DatabaseService, transports()["gRPC over h2c"]!);
  const nosql = createClient(NoSqlService, transports()["Connect binary over h2c"]!);
  const created = await databases.createTable({ database: "e2e", table: "dog", primaryKey: "id" }, { headers: admin });
  assert.equal(created.message, "table 'e2e.dog' successfully created.");
  const inserted = await nosql.insert(
    { database: "e2e", table: "dog", records: fromJson(ListValueSchema, [{ id: 1, name: "Penny", tags: ["a"] }]) },
    { headers: admin },
  );
  assert.equal(inserted.message, "inserted 1 of 1 records");
  const found = await nosql.searchById(
    { database: "e2e", table: "dog", ids: fromJson(ListValueSchema, [1]), getAttributes: fromJson(ListValueSchema, ["id", "name", "tags"]) },
    { headers: admin },
  );
  assert.deepEqual(found.records, [{ id: 1, name: "Penny", tags: ["a"] }]);
  await assert.rejects(
    nosql.searchById({ database: "e2e", table: "nope", ids: fromJson(ListValueSchema, [1]), getAttributes: fromJson(ListValueSchema, ["*"]) }, { headers: admin }),
    (e: unknown) => e instanceof ConnectError && e.code === Code.NotFound && e.rawMessage === "Table 'e2e.nope' does not exist",
  );
});

test("tokens made over the JSON API authenticate gRPC calls, and refresh tokens only refresh", async () => {
  const made = await postJson({ operation: "create_authentication_tokens", username: "admin", password: "password" });
  assert.equal(made.status, 200);
  const { operation_token: operationToken, refresh_token: refreshToken } = made.body as Record<string, string>;
  const client = createClient(UserService, transports()["gRPC over h2c"]!);
  const res = await client.userInfo({}, { headers: { authorization: `Bearer ${operationToken}` } });
  assert.equal(res.user?.username, "admin");
  await assert.rejects(
    client.userInfo({}, { headers: { authorization: `Bearer ${refreshToken}` } }),
    (e: unknown) => e instanceof ConnectError && e.rawMessage === "invalid token",
  );
  const refreshed = await postJson({ operation: "refresh_operation_token" }, { authorization: `Bearer ${refreshToken}` });
  assert.equal(refreshed.status, 200);
  assert.equal(typeof refreshed.body["operation_token"], "string");
  const again = await postJson({ operation: "create_authentication_tokens", username: "admin", password: "password" });
  assert.equal(again.status, 200);
  assert.deepEqual(await postJson({ operation: "refresh_operation_token", refresh_token: refreshToken }, admin), {
    status: 401,
    body: { error: "invalid token" },
  });
  assert.deepEqual(await postJson({ operation: "create_authentication_tokens", username: "admin", password: "x" }), {
    status: 401,
    body: { error: "invalid credentials" },
  });
});

test("each request is logged as a JSON line with operation, user, protocol, status and duration, without credentials", async () => {
  await postJson({ operation: "user_info" }, admin);
  await new Promise<void>((resolve) => server.logger.flush(() => resolve()));
  const lines = readFileSync(join(root, "log", "hdb.log"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
  const entry = lines.reverse().find((l) => l.operation === "user_info" && l.protocol === "json" && l.status === 200);
  assert.ok(entry, "a log line for the request");
  assert.equal(entry.user, "admin");
  assert.equal(entry.level, "info");
  assert.equal(typeof entry.duration_ms, "number");
  const text = readFileSync(join(root, "log", "hdb.log"), "utf8");
  assert.equal(text.includes("password"), false, "no credentials in the log");
  assert.equal(text.includes(operationTokenPrefix), false);
});

const operationTokenPrefix = "eyJhbGciOiJSUzI1NiIs";
