import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fromJson } from "@bufbuild/protobuf";
import { ListValueSchema } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { PermissionErrorDetailSchema } from "../gen/harper/v1/common_pb.js";
import { NoSqlService } from "../gen/harper/v1/nosql_service_pb.js";
import type { RunningServer } from "../src/main.js";
import { basic, startTestServer, stopTestServer } from "./server-fixture.js";

// A restricted role, over the JSON API and gRPC alike: each of read/insert/update/delete allowed and
// refused at table and at attribute level, and no hidden attribute value in any answer.

let root: string;
let server: RunningServer;
let sessions: Http2SessionManager;
const admin = basic("admin", "password");
const clerk = basic("clerk", "Clerk-pass-1");
const SECRET = "secret-salary-9071";

async function post(body: unknown, authorization = admin) {
  const res = await fetch(`http://127.0.0.1:${server.port}/`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> | unknown[] };
}

before(async () => {
  ({ server, root } = await startTestServer());
  sessions = new Http2SessionManager(`http://127.0.0.1:${server.port}`);
  await post({ operation: "create_table", database: "shop", table: "emp", primary_key: "id" });
  await post({ operation: "create_table", database: "shop", table: "audit", primary_key: "id" });
  await post({ operation: "insert", database: "shop", table: "emp", records: [{ id: 1, name: "Ada", salary: SECRET }] });
  const role = await post({
    operation: "add_role",
    role: "clerk_role",
    permission: {
      super_user: false,
      shop: {
        tables: {
          emp: {
            read: true,
            insert: true,
            update: false,
            delete: false,
            attribute_permissions: [
              { attribute_name: "name", read: true, insert: true, update: false },
              { attribute_name: "salary", read: false, insert: false, update: false },
            ],
          },
        },
      },
    },
  });
  assert.equal(role.status, 200, JSON.stringify(role.body));
  const user = await post({ operation: "add_user", username: "clerk", password: "Clerk-pass-1", role: "clerk_role", active: true });
  assert.equal(user.status, 200, JSON.stringify(user.body));
});

after(async () => {
  sessions.abort();
  await stopTestServer(server, root);
});

const envelope = "This operation is not authorized due to role restrictions and/or invalid database items";

test("reads are allowed, and neither `*` nor raw records show the hidden attribute", async () => {
  const star = await post({ operation: "search_by_id", database: "shop", table: "emp", ids: [1], get_attributes: ["*"] }, clerk);
  assert.deepEqual(star, { status: 200, body: [{ id: 1, name: "Ada" }] });
  const raw = await post({ operation: "search_by_value", database: "shop", table: "emp", attribute: "name", value: "Ada" }, clerk);
  assert.equal(raw.status, 200);
  assert.equal(JSON.stringify(raw.body).includes(SECRET), false);
  assert.deepEqual(Object.keys((raw.body as Record<string, unknown>[])[0]!).sort(), ["id", "name"]);
});

test("a hidden attribute named in a read is refused as if it did not exist", async () => {
  const res = await post({ operation: "search_by_id", database: "shop", table: "emp", ids: [1], get_attributes: ["salary"] }, clerk);
  assert.deepEqual(res, {
    status: 403,
    body: { error: envelope, unauthorized_access: [], invalid_schema_items: ["Attribute 'salary' does not exist on 'shop.emp'"] },
  });
});

test("insert is allowed on permitted attributes and refused on hidden ones; update and delete are refused at table level", async () => {
  assert.equal((await post({ operation: "insert", database: "shop", table: "emp", records: [{ id: 2, name: "Bo" }] }, clerk)).status, 200);
  const hidden = await post({ operation: "insert", database: "shop", table: "emp", records: [{ id: 3, salary: 1 }] }, clerk);
  assert.deepEqual(hidden.body, { error: envelope, unauthorized_access: [], invalid_schema_items: ["Attribute 'salary' does not exist on 'shop.emp'"] });
  const update = await post({ operation: "update", database: "shop", table: "emp", records: [{ id: 1, name: "X" }] }, clerk);
  assert.deepEqual(update, {
    status: 403,
    body: {
      error: envelope,
      unauthorized_access: [{ schema: "shop", table: "emp", required_table_permissions: ["update"], required_attribute_permissions: [] }],
      invalid_schema_items: [],
    },
  });
  const del = await post({ operation: "delete", database: "shop", table: "emp", ids: [1] }, clerk);
  assert.equal(del.status, 403);
  const kept = await post({ operation: "search_by_id", database: "shop", table: "emp", ids: [1, 3], get_attributes: ["id", "name"] });
  assert.deepEqual(kept.body, [{ id: 1, name: "Ada" }], "nothing changed by the refused requests");
});

test("a table the role does not list is invisible", async () => {
  const res = await post({ operation: "search_by_id", database: "shop", table: "audit", ids: [1], get_attributes: ["*"] }, clerk);
  assert.deepEqual(res.body, { error: envelope, unauthorized_access: [], invalid_schema_items: ["Table 'shop.audit' does not exist"] });
  const db = await post({ operation: "insert", database: "other", table: "x", records: [{ id: 1 }] }, clerk);
  assert.deepEqual(db.body, { error: envelope, unauthorized_access: [], invalid_schema_items: ["database 'other' does not exist"] });
});

test("gRPC callers get the same decisions, with the 403 object as the error detail", async () => {
  const client = createClient(NoSqlService, createGrpcTransport({ baseUrl: `http://127.0.0.1:${server.port}`, sessionManager: sessions }));
  const headers = { authorization: clerk };
  const found = await client.searchById(
    { database: "shop", table: "emp", ids: fromJson(ListValueSchema, [1]), getAttributes: fromJson(ListValueSchema, ["*"]) },
    { headers },
  );
  assert.deepEqual(found.records, [{ id: 1, name: "Ada" }]);
  await assert.rejects(
    client.delete({ database: "shop", table: "emp", ids: fromJson(ListValueSchema, [1]) }, { headers }),
    (e: unknown) => {
      if (!(e instanceof ConnectError) || e.code !== Code.PermissionDenied) return false;
      const [detail] = e.findDetails(PermissionErrorDetailSchema);
      return detail?.error === envelope;
    },
  );
});

test("no password, hash or hidden value reaches the log", async () => {
  await new Promise<void>((resolve) => server.logger.flush(() => resolve()));
  const log = readFileSync(join(root, "log", "hdb.log"), "utf8");
  for (const secret of ["Clerk-pass-1", "password\"", "scrypt$", SECRET]) assert.equal(log.includes(secret), false, secret);
});

test("describe shows a restricted role only the tables and attributes it may see", async () => {
  const all = (await post({ operation: "describe_all" }, clerk)).body as Record<string, Record<string, { attributes: Array<{ attribute: string }> }>>;
  assert.deepEqual(Object.keys(all), ["shop"]);
  assert.deepEqual(Object.keys(all["shop"]!), ["emp"]);
  assert.deepEqual(all["shop"]!["emp"]!.attributes.map((a) => a.attribute), ["id", "name"]);
  const hidden = await post({ operation: "describe_table", database: "shop", table: "audit" }, clerk);
  assert.deepEqual(hidden.body, { error: envelope, unauthorized_access: [], invalid_schema_items: ["Table 'shop.audit' does not exist"] });
  const system = await post({ operation: "describe_database", database: "system" }, clerk);
  assert.deepEqual(system.body, {
    error: envelope,
    unauthorized_access: ["Your role does not have permission to view database metadata for 'system'"],
    invalid_schema_items: [],
  });
});

test("update and delete allowed at table level, and update refused for an attribute the role may only read", async () => {
  // Role attribute permissions name existing attributes: the records come first.
  await post({ operation: "insert", database: "shop", table: "audit", records: [{ id: 1, note: "a", locked: "x" }, { id: 2, note: "b" }] });
  const role = await post({
    operation: "add_role",
    role: "editor_role",
    permission: {
      super_user: false,
      shop: {
        tables: {
          audit: {
            read: true,
            insert: true,
            update: true,
            delete: true,
            attribute_permissions: [
              { attribute_name: "note", read: true, insert: true, update: true },
              { attribute_name: "locked", read: true, insert: true, update: false },
            ],
          },
        },
      },
    },
  });
  assert.equal(role.status, 200, JSON.stringify(role.body));
  await post({ operation: "add_user", username: "editor", password: "Editor-pass-1", role: "editor_role", active: true });
  const editor = basic("editor", "Editor-pass-1");
  assert.equal((await post({ operation: "update", database: "shop", table: "audit", records: [{ id: 1, note: "a2" }] }, editor)).status, 200);
  const locked = await post({ operation: "update", database: "shop", table: "audit", records: [{ id: 1, locked: "y" }] }, editor);
  assert.deepEqual(locked, {
    status: 403,
    body: {
      error: envelope,
      unauthorized_access: [
        {
          schema: "shop",
          table: "audit",
          required_table_permissions: [],
          required_attribute_permissions: [{ attribute_name: "locked", required_permissions: ["update"] }],
        },
      ],
      invalid_schema_items: [],
    },
  });
  assert.equal((await post({ operation: "delete", database: "shop", table: "audit", ids: [2] }, editor)).status, 200);
  const left = await post({ operation: "search_by_value", database: "shop", table: "audit", attribute: "id", value: "*", get_attributes: ["id", "note", "locked"] });
  assert.deepEqual(left.body, [{ id: 1, note: "a2", locked: "x" }]);
});

test("a structure user creates and drops tables only in its databases; super-user operations stay closed", async () => {
  await post({ operation: "add_role", role: "builder_role", permission: { super_user: false, structure_user: ["shop"] } });
  await post({ operation: "add_user", username: "builder", password: "Builder-pass-1", role: "builder_role", active: true });
  const builder = basic("builder", "Builder-pass-1");
  assert.equal((await post({ operation: "create_table", database: "shop", table: "made", primary_key: "id" }, builder)).status, 200);
  assert.equal((await post({ operation: "insert", database: "shop", table: "made", records: [{ id: 1 }] }, builder)).status, 200);
  assert.equal((await post({ operation: "drop_table", database: "shop", table: "made" }, builder)).status, 200);
  assert.deepEqual((await post({ operation: "create_table", database: "elsewhere", table: "t", primary_key: "id" }, builder)).body, {
    error: envelope,
    unauthorized_access: ["User does not have access to perform 'create_table' against schema 'elsewhere'"],
    invalid_schema_items: [],
  });
  assert.deepEqual((await post({ operation: "create_database", database: "mine" }, builder)).body, {
    error: envelope,
    unauthorized_access: ["Operation 'createSchema' is restricted to 'super_user' roles"],
    invalid_schema_items: [],
  });
  assert.equal((await post({ operation: "list_users" }, builder)).status, 403);
});
