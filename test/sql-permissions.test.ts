import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { fromJson, toJson } from "@bufbuild/protobuf";
import { ValueSchema } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { PermissionErrorDetailSchema } from "../gen/harper/v1/common_pb.js";
import { SqlService } from "../gen/harper/v1/sql_service_pb.js";
import type { RunningServer } from "../src/main.js";
import { basic, poster, startTestServer, stopTestServer } from "./server-fixture.js";

// The role checks of spec auth-users-roles.md §6.5 on the sql operation: every table a statement
// touches needs the statement's permission, every attribute it names must be visible and usable,
// `*` shows only readable attributes, over the JSON API and gRPC alike.

let root: string;
let server: RunningServer;
let sessions: Http2SessionManager;
const admin = basic("admin", "password");
const clerk = basic("sqlclerk", "Clerk-pass-1");
const SECRET = "secret-salary-4410";
const denied = "This operation is not authorized due to role restrictions and/or invalid database items";

const post = poster(() => server);

const sql = (statement: string, authorization = clerk) => post({ operation: "sql", sql: statement }, authorization);

before(async () => {
  ({ server, root } = await startTestServer());
  sessions = new Http2SessionManager(`http://127.0.0.1:${server.port}`);
  for (const table of ["emp", "dept", "vault"]) await post({ operation: "create_table", database: "shop", table, primary_key: "id" });
  await post({ operation: "insert", database: "shop", table: "emp", records: [{ id: 1, name: "Ada", dept: 10, salary: SECRET, note: "n" }] });
  await post({ operation: "insert", database: "shop", table: "dept", records: [{ id: 10, title: "Research" }] });
  await post({ operation: "insert", database: "shop", table: "vault", records: [{ id: 1, gold: 5 }] });
  const role = await post({
    operation: "add_role",
    role: "sql_clerk",
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
              { attribute_name: "dept", read: true, insert: true, update: false },
              { attribute_name: "note", read: false, insert: true, update: false },
              { attribute_name: "salary", read: false, insert: false, update: false },
            ],
          },
          dept: { read: true, insert: false, update: false, delete: false, attribute_permissions: [] },
        },
      },
    },
  });
  assert.equal(role.status, 200, JSON.stringify(role.body));
  const user = await post({ operation: "add_user", role: "sql_clerk", username: "sqlclerk", password: "Clerk-pass-1", active: true });
  assert.equal(user.status, 200, JSON.stringify(user.body));
});

after(async () => {
  sessions.abort();
  await stopTestServer(server, root);
});

test("SELECT * shows a restricted role only its readable attributes, in the role's order, key last", async () => {
  const res = await sql("SELECT * FROM shop.emp WHERE id = 1");
  assert.deepEqual(res, { status: 200, body: [{ name: "Ada", dept: 10, id: 1 }] });
  assert.ok(!JSON.stringify(res.body).includes(SECRET));
});

test("a hidden attribute anywhere in the statement is an invalid schema item", async () => {
  for (const statement of [
    "SELECT name, salary FROM shop.emp",
    "SELECT name FROM shop.emp WHERE salary > 0",
    "SELECT name FROM shop.emp ORDER BY salary",
    "SELECT COUNT(salary) AS n FROM shop.emp",
  ]) {
    const res = await sql(statement);
    assert.deepEqual(res, { status: 403, body: { error: denied, unauthorized_access: [], invalid_schema_items: ["Attribute 'salary' does not exist on 'shop.emp'"] } }, statement);
  }
});

test("a visible attribute without read needs read", async () => {
  const res = await sql("SELECT name, note FROM shop.emp");
  assert.equal(res.status, 403);
  assert.deepEqual(res.body.unauthorized_access, [
    { schema: "shop", table: "emp", required_table_permissions: [], required_attribute_permissions: [{ attribute_name: "note", required_permissions: ["read"] }] },
  ]);
});

test("every joined table is checked: an allowed join runs, an invisible table is refused", async () => {
  assert.deepEqual(await sql("SELECT e.name, d.title FROM shop.emp AS e INNER JOIN shop.dept AS d ON e.dept = d.id"), {
    status: 200,
    body: [{ name: "Ada", title: "Research" }],
  });
  const res = await sql("SELECT e.name FROM shop.emp AS e INNER JOIN shop.vault AS v ON v.id = e.id");
  assert.deepEqual(res, { status: 403, body: { error: denied, unauthorized_access: [], invalid_schema_items: ["Table 'shop.vault' does not exist"] } });
  const unknownDatabase = await sql("SELECT * FROM nowhere.t");
  assert.deepEqual(unknownDatabase.body.invalid_schema_items, ["database 'nowhere' does not exist"]);
});

test("writes need the statement's table permission, and nothing is written when refused", async () => {
  const update = await sql("UPDATE shop.emp SET name = 'Eve' WHERE id = 1");
  assert.equal(update.status, 403);
  assert.deepEqual(update.body.unauthorized_access, [{ schema: "shop", table: "emp", required_table_permissions: ["update"], required_attribute_permissions: [] }]);
  const remove = await sql("DELETE FROM shop.dept WHERE id = 10");
  assert.deepEqual(remove.body.unauthorized_access, [{ schema: "shop", table: "dept", required_table_permissions: ["delete"], required_attribute_permissions: [] }]);
  const hidden = await sql("INSERT INTO shop.emp (id, name, salary) VALUES (2, 'Bo', 1)");
  assert.deepEqual(hidden.body.invalid_schema_items, ["Attribute 'salary' does not exist on 'shop.emp'"]);
  const rows = await sql("SELECT name FROM shop.emp ORDER BY id", admin);
  assert.deepEqual(rows.body, [{ name: "Ada" }]);
  const insert = await sql("INSERT INTO shop.emp (id, name, note) VALUES (3, 'Cy', 'x')");
  assert.deepEqual(insert, { status: 200, body: { message: "inserted 1 of 1 records", inserted_hashes: [3], skipped_hashes: [] } });
});

test("system tables: super users read them, others are refused, nobody changes them", async () => {
  const users = await sql("SELECT username FROM system.hdb_user", admin);
  assert.equal(users.status, 200);
  assert.ok((users.body as Array<{ username: string }>).some((u) => u.username === "sqlclerk"));
  const refused = await sql("SELECT username FROM system.hdb_user");
  assert.deepEqual(refused.body.unauthorized_access, [{ schema: "system", table: "hdb_user", required_table_permissions: ["read"], required_attribute_permissions: [] }]);
  assert.equal((await sql("UPDATE system.hdb_user SET active = false", admin)).status, 403);
});

test("a constant-only SELECT needs no table permission", async () => {
  assert.deepEqual(await sql("SELECT 1 AS x"), { status: 200, body: [{ x: 1 }] });
});

test("over gRPC the same statement answers rows, and a refusal carries the permission detail", async () => {
  const client = createClient(SqlService, createGrpcTransport({ baseUrl: `http://127.0.0.1:${server.port}`, sessionManager: sessions }));
  const answer = await client.sql({ sql: "SELECT * FROM shop.emp WHERE id = 1" }, { headers: { authorization: clerk } });
  assert.deepEqual(toJson(ValueSchema, answer.result ?? fromJson(ValueSchema, null)), [{ name: "Ada", dept: 10, id: 1 }]);
  await assert.rejects(client.sql({ sql: "SELECT salary FROM shop.emp" }, { headers: { authorization: clerk } }), (error: unknown) => {
    const connect = ConnectError.from(error);
    assert.equal(connect.code, Code.PermissionDenied);
    const [detail] = connect.findDetails(PermissionErrorDetailSchema);
    assert.deepEqual(detail?.invalidSchemaItems, ["Attribute 'salary' does not exist on 'shop.emp'"]);
    return true;
  });
});
