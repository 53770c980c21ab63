import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type { RunningServer } from "../src/main.js";
import { basic, startTestServer, stopTestServer, poster } from "./server-fixture.js";

// The system database, the order and make-up of permission errors, timestamp writes and
// describe_table for restricted roles. Every expected answer below was recorded from HarperDB
// 4.7.29 (../shared/bench/peer.sh) with the same roles and requests, on 2026-12-07, unless the
// test says harper-ops deliberately differs (docs/compatibility.md).

let root: string;
let server: RunningServer;
const clerk = basic("clerk", "pw");
const ro = basic("ro", "pw");
const ts = basic("ts", "pw");
const none = basic("none", "pw");

const envelope = "This operation is not authorized due to role restrictions and/or invalid database items";
const systemMessage = "The 'system' database, tables and records are used internally by HarperDB and cannot be updated or removed.";
const timestampMessage =
  "Internal timestamp attributes - '__createdtime_' and '__updatedtime__' - cannot be inserted to or updated by HDB users.";

const post = poster(() => server);

const perm403 = (unauthorized: unknown[], invalid: string[] = []) => ({
  status: 403,
  body: { error: envelope, unauthorized_access: unauthorized, invalid_schema_items: invalid },
});
const tableEntry = (schema: string, table: string, permissions: string[], attributes: unknown[] = []) => ({
  schema,
  table,
  required_table_permissions: permissions,
  required_attribute_permissions: attributes,
});
const attribute = (name: string, permissions: string[]) => ({ attribute_name: name, required_permissions: permissions });

async function addRoleAndUser(name: string, permission: unknown) {
  const role = await post({ operation: "add_role", role: name, permission });
  assert.equal(role.status, 200, JSON.stringify(role.body));
  const user = await post({ operation: "add_user", role: name, username: name, password: "pw", active: true });
  assert.equal(user.status, 200, JSON.stringify(user.body));
}

before(async () => {
  ({ server, root } = await startTestServer());
  await post({ operation: "create_table", database: "data", table: "dog", primary_key: "id" });
  await post({ operation: "create_table", database: "data", table: "cat", primary_key: "id" });
  await post({
    operation: "insert",
    database: "data",
    table: "dog",
    records: [{ id: 1, name: "Penny", age: 5, owner: "kyle" }, { id: 2, name: "Harper", age: null }, { id: 3, name: "Alby" }],
  });
  await post({ operation: "insert", database: "data", table: "cat", records: [{ id: 1, name: "Tom" }] });
  const closed = { read: false, insert: false, update: false };
  await addRoleAndUser("clerk", {
    data: {
      tables: {
        dog: {
          read: true,
          insert: true,
          update: true,
          delete: false,
          attribute_permissions: [
            { attribute_name: "name", read: true, insert: true, update: false },
            { attribute_name: "age", ...closed },
          ],
        },
        cat: { read: false, insert: false, update: false, delete: false, attribute_permissions: [] },
      },
    },
  });
  await addRoleAndUser("ro", {
    data: {
      tables: {
        dog: {
          read: true,
          insert: false,
          update: false,
          delete: false,
          attribute_permissions: [
            { attribute_name: "name", read: true, insert: false, update: false },
            { attribute_name: "owner", read: true, insert: false, update: false },
          ],
        },
      },
    },
  });
  await addRoleAndUser("ts", {
    data: {
      tables: {
        dog: {
          read: true,
          insert: true,
          update: true,
          delete: true,
          attribute_permissions: [
            { attribute_name: "name", read: true, insert: true, update: true },
            { attribute_name: "__createdtime__", read: true, insert: true, update: true },
            { attribute_name: "__updatedtime__", read: true, insert: false, update: false },
          ],
        },
      },
    },
  });
  await addRoleAndUser("none", {});
});

after(async () => {
  await stopTestServer(server, root);
});

test("a super user updates, upserts and deletes records of hdb_nodes, hdb_role and hdb_user, and the change counts at once", async () => {
  assert.deepEqual(await post({ operation: "insert", database: "system", table: "hdb_nodes", records: [{ name: "n1", url: "ws://x" }] }), {
    status: 200,
    body: { message: "inserted 1 of 1 records", inserted_hashes: ["n1"], skipped_hashes: [] },
  });
  assert.deepEqual(await post({ operation: "update", database: "system", table: "hdb_nodes", records: [{ name: "n1", url: "ws://y" }] }), {
    status: 200,
    body: { message: "updated 1 of 1 records", update_hashes: ["n1"], skipped_hashes: [] },
  });
  assert.deepEqual(await post({ operation: "delete", database: "system", table: "hdb_nodes", ids: ["nope"] }), {
    status: 200,
    body: { message: "1 of 1 record successfully deleted", deleted_hashes: ["nope"], skipped_hashes: [] },
  });
  // The none role gains read of data.dog through a raw update of its hdb_role record.
  const before = await post({ operation: "search_by_id", database: "data", table: "dog", ids: [1], get_attributes: ["name"] }, none);
  assert.equal(before.status, 403);
  const permission = { data: { tables: { dog: { read: true, insert: false, update: false, delete: false, attribute_permissions: [] } } } };
  assert.deepEqual(await post({ operation: "update", database: "system", table: "hdb_role", records: [{ id: "none", permission }] }), {
    status: 200,
    body: { message: "updated 1 of 1 records", update_hashes: ["none"], skipped_hashes: [] },
  });
  assert.deepEqual(await post({ operation: "search_by_id", database: "data", table: "dog", ids: [1], get_attributes: ["name"] }, none), {
    status: 200,
    body: [{ name: "Penny" }],
  });
  await post({ operation: "update", database: "system", table: "hdb_role", records: [{ id: "none", permission: {} }] });
  // A raw user row, then the operations that own the table still work with it.
  assert.deepEqual(await post({ operation: "upsert", database: "system", table: "hdb_user", records: [{ username: "raw1", role: "clerk" }] }), {
    status: 200,
    body: { message: "upserted 1 of 1 records", upserted_hashes: ["raw1"] },
  });
  assert.equal((await post({ operation: "alter_user", username: "raw1", password: "pw" })).status, 200);
  assert.equal((await post({ operation: "user_info" }, basic("raw1", "pw"))).status, 200);
  assert.deepEqual(await post({ operation: "update", database: "system", table: "hdb_user", records: [{ username: "raw1", active: false }] }), {
    status: 200,
    body: { message: "updated 1 of 1 records", update_hashes: ["raw1"], skipped_hashes: [] },
  });
  assert.equal((await post({ operation: "user_info" }, basic("raw1", "pw"))).status, 401);
  assert.deepEqual(await post({ operation: "drop_user", username: "raw1" }), { status: 200, body: { message: "raw1 successfully deleted" } });
});

test("a super user's other writes in system answer Harper's 403s: the system message for changes, the missing permission for inserts", async () => {
  for (const body of [
    { operation: "update", database: "system", table: "hdb_job", records: [{ id: "j1" }] },
    { operation: "delete", database: "system", table: "hdb_job", ids: ["j1"] },
    { operation: "update", database: "system", table: "nope", records: [{ id: "j1" }] },
    { operation: "drop_table", database: "system", table: "hdb_nodes" },
    { operation: "drop_attribute", database: "system", table: "hdb_nodes", attribute: "url" },
  ]) {
    assert.deepEqual(await post(body), { status: 403, body: { error: systemMessage } }, JSON.stringify(body));
  }
  assert.deepEqual(
    await post({ operation: "insert", database: "system", table: "hdb_certificate", records: [{ name: "c1", certificate: "x" }] }),
    perm403([tableEntry("system", "hdb_certificate", ["insert"])]),
  );
  assert.deepEqual(
    await post({ operation: "insert", database: "system", table: "hdb_job", records: [{ id: "j1" }] }),
    perm403([tableEntry("system", "hdb_job", ["insert"])]),
  );
  assert.deepEqual(
    await post({ operation: "csv_data_load", database: "system", table: "hdb_nodes", data: "name\nq1\n" }),
    perm403([tableEntry("system", "hdb_nodes", ["insert", "update"])]),
  );
  assert.deepEqual(
    await post({ operation: "csv_data_load", action: "update", database: "system", table: "hdb_nodes", data: "name\nq1\n" }),
    perm403([tableEntry("system", "hdb_nodes", ["update"])]),
  );
  assert.deepEqual(
    await post({ operation: "create_attribute", database: "system", table: "hdb_nodes", attribute: "zzz" }),
    perm403([tableEntry("system", "hdb_nodes", ["insert"])]),
  );
  assert.deepEqual(
    await post({ operation: "insert", database: "system", table: "nope", records: [{ id: "j1" }] }),
    perm403([], ["Table 'system.nope' does not exist"]),
  );
  assert.deepEqual(
    await post({ operation: "search_by_value", database: "system", table: "nope", search_attribute: "a", search_value: "*", get_attributes: ["*"] }),
    perm403([], ["Table 'system.nope' does not exist"]),
  );
});

test("a system record that the owning operations could not use afterwards is refused with a 400, not stored (Harper stores it)", async () => {
  const bad = await post({
    operation: "upsert",
    database: "system",
    table: "hdb_user",
    records: [{ username: 5, role: "nope", active: "yes", password: "plain" }],
  });
  assert.equal(bad.status, 400);
  assert.match((bad.body as { error: string }).error, /'username' must be a non-empty string\. 'role' must name an existing role\. 'active' must be a boolean\. 'password' must be a password hash/);
  const role = await post({ operation: "insert", database: "system", table: "hdb_role", records: [{ id: "r9", role: "r9", permission: { nope: { tables: {} } } }] });
  assert.deepEqual(role, {
    status: 400,
    body: { error: "Errors in the role permissions JSON provided", main_permissions: ["database 'nope' does not exist"], schema_permissions: {} },
  });
  assert.equal((await post({ operation: "insert", database: "system", table: "hdb_nodes", records: [{ url: "ws://x" }] })).status, 400);
  const users = (await post({ operation: "list_users" })).body as Array<{ username: string }>;
  assert.deepEqual(users.map((u) => u.username).filter((n) => !["admin", "clerk", "ro", "ts", "none"].includes(n)), []);
  assert.equal((await post({ operation: "search_by_id", database: "system", table: "hdb_role", ids: ["r9"], get_attributes: ["id"] })).body instanceof Array, true);
  assert.deepEqual((await post({ operation: "search_by_id", database: "system", table: "hdb_role", ids: ["r9"], get_attributes: ["id"] })).body, []);
});

test("a non-super user meets the system tables as tables it has no permission on, and Harper's system message for changes", async () => {
  const search = { operation: "search_by_value", database: "system", table: "hdb_user", search_attribute: "username", search_value: "*", get_attributes: ["*"] };
  assert.deepEqual(await post(search, clerk), perm403([tableEntry("system", "hdb_user", ["read"])]));
  assert.deepEqual(
    await post({ operation: "search_by_id", database: "system", table: "hdb_user", ids: ["admin"], get_attributes: ["*"] }, clerk),
    perm403([tableEntry("system", "hdb_user", ["read"])]),
  );
  assert.deepEqual(
    await post({ operation: "insert", database: "system", table: "hdb_user", records: [{ username: "x", role: "super_user" }] }, clerk),
    perm403([tableEntry("system", "hdb_user", ["insert"])]),
  );
  assert.deepEqual(
    await post({ operation: "csv_data_load", database: "system", table: "hdb_job", data: "id\nq1\n" }, clerk),
    perm403([tableEntry("system", "hdb_job", ["insert", "update"])]),
  );
  assert.deepEqual(
    await post({ operation: "search_by_value", database: "system", table: "nope", search_attribute: "a", search_value: "*", get_attributes: ["*"] }, clerk),
    perm403([], ["Table 'system.nope' does not exist"]),
  );
  for (const body of [
    { operation: "upsert", database: "system", table: "hdb_user", records: [{ username: "x", role: "super_user" }] },
    { operation: "update", database: "system", table: "hdb_user", records: [{ username: "x", role: "super_user" }] },
    { operation: "delete", database: "system", table: "hdb_user", ids: ["x"] },
    { operation: "drop_table", database: "system", table: "hdb_user" },
    { operation: "drop_attribute", database: "system", table: "hdb_user", attribute: "role" },
    { operation: "drop_database", database: "system" },
  ]) {
    assert.deepEqual(await post(body, clerk), { status: 403, body: { error: systemMessage } }, JSON.stringify(body));
  }
});

test("describe by a restricted role: system by name, then the table named as requested", async () => {
  const metadata = perm403(["Your role does not have permission to view database metadata for 'system'"]);
  assert.deepEqual(await post({ operation: "describe_table", database: "system" }, clerk), metadata);
  assert.deepEqual(await post({ operation: "describe_table", database: "system", table: "hdb_user" }, clerk), metadata);
  assert.deepEqual(await post({ operation: "describe_database", database: "system" }, clerk), metadata);
  assert.deepEqual(await post({ operation: "describe_table", database: "data", table: "cat" }, clerk), perm403([], ["Table 'data.cat' does not exist"]));
  assert.deepEqual(await post({ operation: "describe_table", database: "nope", table: "nope" }, clerk), perm403([], ["Table 'nope.nope' does not exist"]));
  assert.deepEqual(await post({ operation: "describe_table", database: "data", table: "dog" }, none), perm403([], ["Table 'data.dog' does not exist"]));
  assert.deepEqual(await post({ operation: "describe_database", database: "data" }, none), perm403([], ["database 'data' does not exist"]));
});

test("with the table permissions granted, invisible attributes and missing attribute permissions are reported together", async () => {
  assert.deepEqual(
    await post({ operation: "update", database: "data", table: "dog", records: [{ id: 1, name: "x", age: 3 }] }, clerk),
    perm403([tableEntry("data", "dog", [], [attribute("id", ["update"]), attribute("name", ["update"])])], ["Attribute 'age' does not exist on 'data.dog'"]),
  );
  assert.deepEqual(
    await post({ operation: "upsert", database: "data", table: "dog", records: [{ id: 1, name: "x", owner: "z" }] }, clerk),
    perm403([tableEntry("data", "dog", [], [attribute("id", ["update"]), attribute("name", ["update"])])], ["Attribute 'owner' does not exist on 'data.dog'"]),
  );
  assert.deepEqual(
    await post({ operation: "insert", database: "data", table: "dog", records: [{ id: 9, name: "x", age: 3, __createdtime__: 5 }] }, clerk),
    perm403([], ["Attribute 'age' does not exist on 'data.dog'", "Attribute '__createdtime__' does not exist on 'data.dog'"]),
  );
});

test("a missing table permission is reported alone, without looking at attributes", async () => {
  assert.deepEqual(
    await post({ operation: "update", database: "data", table: "dog", records: [{ id: 1, name: "x", age: 3 }] }, ro),
    perm403([tableEntry("data", "dog", ["update"])]),
  );
  assert.deepEqual(
    await post({ operation: "upsert", database: "data", table: "dog", records: [{ name: "x", age: 1, id: 1 }] }, ro),
    perm403([tableEntry("data", "dog", ["insert", "update"])]),
  );
  assert.deepEqual(
    await post({ operation: "insert", database: "data", table: "dog", records: [{ id: 1, owner: "x", __createdtime__: 1, age: 3 }] }, ro),
    perm403([tableEntry("data", "dog", ["insert"])]),
  );
  assert.deepEqual(await post({ operation: "delete", database: "data", table: "dog", ids: [1] }, clerk), perm403([tableEntry("data", "dog", ["delete"])]));
});

test("invisible attributes are listed search attributes first, then get_attributes, each once", async () => {
  assert.deepEqual(
    await post({ operation: "search_by_value", database: "data", table: "dog", search_attribute: "age", search_value: "*", get_attributes: ["name", "zz"] }, ro),
    perm403([], ["Attribute 'age' does not exist on 'data.dog'", "Attribute 'zz' does not exist on 'data.dog'"]),
  );
  assert.deepEqual(
    await post(
      {
        operation: "search_by_conditions",
        database: "data",
        table: "dog",
        get_attributes: ["zz", "name"],
        conditions: [
          { search_attribute: "age", search_type: "equals", search_value: 1 },
          { search_attribute: "yy", search_type: "equals", search_value: 1 },
        ],
      },
      ro,
    ),
    perm403([], ["Attribute 'age' does not exist on 'data.dog'", "Attribute 'yy' does not exist on 'data.dog'", "Attribute 'zz' does not exist on 'data.dog'"]),
  );
  assert.deepEqual(
    await post({ operation: "search_by_id", database: "data", table: "dog", get_attributes: ["zz", "name", "zz"], ids: [1] }, ro),
    perm403([], ["Attribute 'zz' does not exist on 'data.dog'"]),
  );
});

test("writing a timestamp attribute the role lists answers Harper's plain timestamp 403, before any other problem", async () => {
  const plain = { status: 403, body: { error: timestampMessage } };
  assert.deepEqual(await post({ operation: "insert", database: "data", table: "dog", records: [{ id: 29, name: "x", __createdtime__: 5 }] }, ts), plain);
  assert.deepEqual(await post({ operation: "update", database: "data", table: "dog", records: [{ id: 1, __updatedtime__: 5 }] }, ts), plain);
  assert.deepEqual(await post({ operation: "update", database: "data", table: "dog", records: [{ id: 1, __updatedtime__: 5, age: 3 }] }, ts), plain);
});

test("a request without a table answers its own validation before any permission check", async () => {
  // HarperDB 4.7.29: 400 for the writes and csv_data_load, 500 "'table' is required" for the
  // searches (answered 400 here, docs/compatibility.md).
  const cases: Array<[unknown, string]> = [
    [{ operation: "insert", database: "data", records: [{ name: "gen" }] }, "'table' is required"],
    [{ operation: "update", database: "data", records: [{ name: "gen" }] }, "'table' is required"],
    [{ operation: "delete", database: "data", ids: [1] }, "'table' is required"],
    [{ operation: "csv_data_load", database: "data", data: "id\n1\n" }, "Table can't be blank"],
    [{ operation: "search_by_id", database: "data", ids: [1], get_attributes: ["name"] }, "'table' is required"],
  ];
  for (const [body, error] of cases) {
    for (const caller of [clerk, none]) assert.deepEqual(await post(body, caller), { status: 400, body: { error } }, JSON.stringify(body));
  }
});

test("structure users and the system database: a database list does not reach system, structure_user true meets what super users meet", async () => {
  await addRoleAndUser("builder", { structure_user: true });
  await addRoleAndUser("scoped", { structure_user: ["data"] });
  const builder = basic("builder", "pw");
  const scoped = basic("scoped", "pw");
  // Recorded from HarperDB 4.7.29.
  assert.deepEqual(
    await post({ operation: "create_table", database: "system", table: "zz", primary_key: "id" }, scoped),
    perm403(["User does not have access to perform 'create_table' against schema 'system'"]),
  );
  assert.deepEqual(await post({ operation: "create_database", database: "system" }, builder), {
    status: 400,
    body: { error: "database 'system' already exists" },
  });
  for (const caller of [builder, scoped]) {
    assert.deepEqual(await post({ operation: "drop_table", database: "system", table: "hdb_nodes" }, caller), { status: 403, body: { error: systemMessage } });
    assert.deepEqual(
      await post({ operation: "search_by_id", database: "system", table: "hdb_user", ids: ["admin"], get_attributes: ["username"] }, caller),
      perm403([tableEntry("system", "hdb_user", ["read"])]),
    );
  }
  // Harper 4.7.29 creates the table (which can then never be dropped); harper-ops answers as it
  // does to a super user (docs/compatibility.md).
  assert.deepEqual(await post({ operation: "create_table", database: "system", table: "zz", primary_key: "id" }, builder), {
    status: 403,
    body: { error: systemMessage },
  });
});
