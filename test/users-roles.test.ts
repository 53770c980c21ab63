import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { RoleValidationErrorDetailSchema } from "../gen/harper/v1/common_pb.js";
import { UserService } from "../gen/harper/v1/user_service_pb.js";
import type { RunningServer } from "../src/main.js";
import { basic, startTestServer, stopTestServer } from "./server-fixture.js";

// Roles and users over the JSON API of a real server (spec auth-users-roles.md §3, §4): answers,
// Harper's error texts and codes, nothing written on a failed request, no secret in any answer,
// and every change in force from the next request, the authentication cache notwithstanding.

type Json = Record<string, unknown>;
let root: string;
let server: RunningServer;
const admin = basic("admin", "password");
/** Every answer body seen, to prove no secret ever leaves the server. */
const answers: string[] = [];

before(async () => {
  ({ server, root } = await startTestServer());
  await post({ operation: "create_table", database: "app", table: "notes", primary_key: "id" });
  await post({ operation: "insert", database: "app", table: "notes", records: [{ id: 1, body: "b", internal: "i" }] });
});
after(async () => {
  await stopTestServer(server, root);
});

async function post(body: Json, authorization: string | null = admin): Promise<{ status: number; body: any }> {
  const res = await fetch(`http://127.0.0.1:${server.port}/`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(authorization ? { authorization } : {}) },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  answers.push(text);
  return { status: res.status, body: JSON.parse(text) };
}

const noteTable = (extra: Json = {}) => ({
  read: true,
  insert: true,
  update: false,
  delete: false,
  attribute_permissions: [{ attribute_name: "body", read: true, insert: true, update: false }],
  ...extra,
});
const roleIds = async () => ((await post({ operation: "list_roles" })).body as Json[]).map((role) => role["id"]);
const userNames = async () => ((await post({ operation: "list_users" })).body as Json[]).map((user) => user["username"]);
const withoutTimes = ({ __createdtime__, __updatedtime__, ...rest }: Json) => {
  assert.equal(typeof __createdtime__, "number");
  assert.equal(typeof __updatedtime__, "number");
  return rest;
};
const validation = (main: string[], schema: Json = {}) => ({
  status: 400,
  body: { error: "Errors in the role permissions JSON provided", main_permissions: main, schema_permissions: schema },
});

test("list_roles answers the built-in roles sorted by id, with their timestamps", async () => {
  const res = await post({ operation: "list_roles" });
  assert.equal(res.status, 200);
  assert.deepEqual(res.body.map(withoutTimes), [
    { permission: { cluster_user: true }, role: "cluster_user", id: "cluster_user" },
    { permission: { super_user: true }, role: "super_user", id: "super_user" },
  ]);
});

test("add_role stores the role under its name as id (or the given id) and echoes the stored record", async () => {
  const permission = { super_user: false, app: { tables: { notes: noteTable() } } };
  const res = await post({ operation: "add_role", role: "ar_editor", permission });
  assert.equal(res.status, 200);
  assert.deepEqual(Object.keys(res.body), ["role", "permission", "id", "__updatedtime__", "__createdtime__"]);
  assert.deepEqual(withoutTimes(res.body), { role: "ar_editor", permission, id: "ar_editor" });
  assert.equal(res.body.__createdtime__, res.body.__updatedtime__);

  const other = await post({ operation: "add_role", role: "ar_viewer", id: "ar-v1", permission: { app: {} }, access: { note: 1 } });
  assert.deepEqual(withoutTimes(other.body), { role: "ar_viewer", permission: { app: {} }, access: { note: 1 }, id: "ar-v1" });
  const listed = (await post({ operation: "list_roles" })).body as Json[];
  assert.deepEqual(listed.map((role) => role["id"]), ["ar-v1", "ar_editor", "cluster_user", "super_user"]);
  assert.deepEqual(withoutTimes(listed[0]!), { permission: { app: {} }, role: "ar_viewer", id: "ar-v1", access: { note: 1 } });
  assert.equal(listed[1]!["__createdtime__"], res.body.__createdtime__);
});

test("add_role with a taken name or id answers 409 and changes nothing", async () => {
  await post({ operation: "add_role", role: "dup_role", permission: { super_user: false } });
  const before = await roleIds();
  assert.deepEqual(await post({ operation: "add_role", role: "dup_role", permission: { super_user: true } }), {
    status: 409,
    body: { error: "A role with name 'dup_role' already exists" },
  });
  assert.deepEqual(await post({ operation: "add_role", role: "dup_other", id: "dup_role", permission: {} }), {
    status: 409,
    body: { error: "A role with id 'dup_role' already exists" },
  });
  assert.deepEqual(await roleIds(), before);
  const kept = ((await post({ operation: "list_roles" })).body as Json[]).find((role) => role["id"] === "dup_role")!;
  assert.deepEqual(kept["permission"], { super_user: false });
});

test("add_role collects every validation problem into Harper's structured 400 and writes nothing", async () => {
  const before = await roleIds();
  const cases: Array<[Json, ReturnType<typeof validation>]> = [
    [{}, validation(["Role can't be blank", "Permission can't be blank"])],
    [{ role: "bad name!", id: "x y", permission: {} }, validation(["Role is invalid", "Id is invalid"])],
    [{ role: "v1", permission: {}, foo: 1 }, validation(["Invalid key in JSON body - 'foo'"])],
    [{ role: "v1", permission: {}, foo: 1, bar: 2 }, validation(["Invalid keys in JSON body - 'foo', 'bar'"])],
    [{ role: "v1", permission: { super_user: true, app: {} } }, validation(["Roles with 'super_user' set to true cannot have other permissions set."])],
    [{ role: "v1", permission: { cluster_user: true, app: {} } }, validation(["Roles with 'cluster_user' set to true cannot have other permissions set."])],
    [
      { role: "v1", permission: { super_user: true, cluster_user: false } },
      validation(["Roles cannot have both 'super_user' and 'cluster_user' values included in their permissions set."]),
    ],
    [{ role: "v1", permission: { super_user: "yes" } }, validation(["Value for 'super_user' permission must be a boolean"])],
    [{ role: "v1", permission: { structure_user: 5 } }, validation(["Value for 'structure_user' permission must be a boolean or Array"])],
    [{ role: "v1", permission: { structure_user: ["app", "nope"] } }, validation(["database 'nope' does not exist"])],
    [{ role: "v1", permission: { ghost: { tables: {} } } }, validation(["database 'ghost' does not exist"])],
    [{ role: "v1", permission: { app: { tables: { drafts: noteTable() } } } }, validation(["Table 'app.drafts' does not exist"])],
    [
      { role: "v1", permission: { app: { tables: { notes: { read: "yes" } } } } },
      validation([], {
        app_notes: [
          "Table READ permission must be a boolean",
          "Missing table INSERT permission",
          "Missing table UPDATE permission",
          "Missing table DELETE permission",
          "Missing 'attribute_permissions' array",
        ],
      }),
    ],
    [
      { role: "v1", permission: { app: { tables: { notes: noteTable({ write: true, attribute_permissions: "all" }) } } } },
      validation([], { app_notes: ["Invalid table permission key value 'write'", "Value for 'attribute_permissions' must be an array"] }),
    ],
    [
      {
        role: "v1",
        permission: {
          app: {
            tables: {
              notes: noteTable({
                read: false,
                attribute_permissions: [
                  { attribute_name: "body", read: true, insert: 1, update: false, colour: "red" },
                  { read: true },
                  { attribute_name: "secret", read: true, insert: true, update: true },
                  { attribute_name: "internal", insert: false, update: false },
                ],
              }),
            },
          },
        },
      },
      validation([], {
        app_notes: [
          "Invalid attribute permission key value 'colour'",
          "INSERT attribute permission for 'body' must be a boolean",
          "Permission object in 'attribute_permission' missing an 'attribute_name'",
          "Invalid attribute 'secret' in 'attribute_permissions'",
          "READ attribute permission missing for 'internal'",
          "You have a conflict with TABLE permissions for 'app.notes' being false and ATTRIBUTE permissions being true",
        ],
      }),
    ],
  ];
  for (const [fields, expected] of cases) {
    assert.deepEqual(await post({ operation: "add_role", ...fields }), expected, JSON.stringify(fields));
  }
  assert.deepEqual(await roleIds(), before);
});

test("add_role accepts a database without tables, null attribute_permissions and structure_user lists", async () => {
  const permission = { structure_user: ["app"], app: { tables: { notes: noteTable({ attribute_permissions: null }) } }, data: {} };
  const res = await post({ operation: "add_role", role: "ok_structure", permission });
  assert.equal(res.status, 200);
  assert.deepEqual(res.body.permission, permission);
});

test("alter_role replaces the whole permission, may rename, keeps the creation time and checks the id", async () => {
  const added = (await post({ operation: "add_role", role: "alt_role", permission: { app: { tables: { notes: noteTable() } } } })).body;
  const res = await post({ operation: "alter_role", id: "alt_role", role: "alt_renamed", permission: { super_user: false } });
  assert.equal(res.status, 200);
  assert.deepEqual(withoutTimes(res.body), { id: "alt_role", role: "alt_renamed", permission: { super_user: false } });
  assert.deepEqual(Object.keys(res.body), ["id", "role", "permission", "__updatedtime__", "__createdtime__"]);
  assert.equal(res.body.__createdtime__, added.__createdtime__);
  assert.ok(res.body.__updatedtime__ > added.__updatedtime__);
  const stored = () => post({ operation: "list_roles" }).then((r) => (r.body as Json[]).find((role) => role["id"] === "alt_role")!);
  assert.deepEqual(withoutTimes(await stored()), { permission: { super_user: false }, role: "alt_renamed", id: "alt_role" });

  const unchanged = await stored();
  assert.deepEqual(await post({ operation: "alter_role", id: "nope", permission: {} }), { status: 400, body: { error: "Invalid role id" } });
  assert.deepEqual(await post({ operation: "alter_role", id: "alt_role" }), validation(["Permission can't be blank"]));
  assert.deepEqual(await post({ operation: "alter_role", permission: {} }), validation(["Id can't be blank"]));
  assert.deepEqual(
    await post({ operation: "alter_role", id: "alt_role", permission: { app: { tables: { ghost: noteTable() } } } }),
    validation(["Table 'app.ghost' does not exist"]),
  );
  assert.deepEqual(await stored(), unchanged);
  const kept = await post({ operation: "alter_role", id: "alt_role", permission: { data: {} } });
  assert.equal(kept.body.role, undefined);
  assert.equal((await stored())["role"], "alt_renamed");
});

test("drop_role refuses a missing id, an unknown id and a role held by an active user", async () => {
  await post({ operation: "add_role", role: "drop_me", permission: { super_user: false } });
  await post({ operation: "alter_role", id: "drop_me", role: "drop_me_now", permission: { super_user: false } });
  await post({ operation: "add_user", username: "drop_holder", password: "pw-1", role: "drop_me_now", active: true });
  assert.deepEqual(await post({ operation: "drop_role" }), {
    status: 400,
    body: { statusCode: 400, error: "Bad Request", message: "Id can't be blank" },
  });
  assert.deepEqual(await post({ operation: "drop_role", id: "drop_me_now" }), { status: 404, body: { error: "Role not found" } });
  assert.deepEqual(await post({ operation: "drop_role", id: "drop_me" }), {
    status: 409,
    body: { error: "Cannot drop role drop_me_now as it has active user(s) tied to this role" },
  });
  assert.ok((await roleIds()).includes("drop_me"));
  await post({ operation: "alter_user", username: "drop_holder", active: false });
  assert.deepEqual(await post({ operation: "drop_role", id: "drop_me" }), {
    status: 200,
    body: { message: "drop_me_now successfully deleted" },
  });
  assert.ok(!(await roleIds()).includes("drop_me"));
  const holder = ((await post({ operation: "list_users" })).body as Json[]).find((user) => user["username"] === "drop_holder")!;
  assert.equal("role" in holder, false);
});

test("add_user creates a user holding the named role; list_users expands it and hides every secret", async () => {
  await post({ operation: "add_role", role: "lu_reader", id: "lu-reader-id", permission: { super_user: false } });
  assert.deepEqual(await post({ operation: "add_user", username: "lu_ann", password: "Ann-pw-1", role: "lu_reader", active: true, extra: 1 }), {
    status: 200,
    body: { message: "lu_ann successfully added" },
  });
  const users = (await post({ operation: "list_users" })).body as Json[];
  const ann = users.find((user) => user["username"] === "lu_ann")!;
  assert.deepEqual(Object.keys(ann).sort(), ["__createdtime__", "__updatedtime__", "active", "role", "username"]);
  const role = ann["role"] as Json;
  assert.equal(role["id"], "lu-reader-id");
  assert.equal(role["role"], "lu_reader");
  const tables = ((role["permission"] as Json)["system"] as Json)["tables"] as Json;
  assert.equal(Object.keys(tables).length, 16);
  assert.deepEqual(tables["hdb_user"], { read: false, insert: false, update: false, delete: false, attribute_permissions: [] });
  const adminRecord = users.find((user) => user["username"] === "admin")!;
  const adminTables = (((adminRecord["role"] as Json)["permission"] as Json)["system"] as Json)["tables"] as Json;
  assert.equal((adminTables["hdb_role"] as Json)["read"], true);
  const info = await post({ operation: "user_info" }, basic("lu_ann", "Ann-pw-1"));
  assert.deepEqual(info.body.role.permission, { super_user: false });
  assert.deepEqual(users.map((user) => user["username"]), [...users.map((user) => user["username"])].sort());
});

test("add_user answers Harper's validation, role and duplicate errors and creates nothing", async () => {
  const before = await userNames();
  await post({ operation: "add_role", role: "twin", id: "twin-1", permission: {} });
  await post({ operation: "add_role", role: "twin_b", id: "twin-2", permission: {} });
  await post({ operation: "alter_role", id: "twin-2", role: "twin", permission: {} });
  const cases: Array<[Json, number, string]> = [
    [{}, 400, "Username can't be blank,Password can't be blank,Role can't be blank,Active can't be blank"],
    [{ username: "au_x", password: "p", role: "lu_reader" }, 400, "Active can't be blank"],
    [{ username: "au_x", role: "lu_reader", active: true }, 400, "Password can't be blank"],
    [{ username: "system", password: "p", role: "lu_reader", active: true }, 400, "Username You cannot create tables within the system schema"],
    [{ username: "au_x", password: "p", role: "bad role", active: true }, 400, "Role is invalid"],
    [{ username: "au_x", password: "p", role: "ghost", active: true }, 404, "ghost role not found"],
    [{ username: "au_x", password: "p", role: "twin", active: true }, 409, "Multiple twin roles found.  Roles must have unique 'role' value. Please update and try again."],
    [{ username: "lu_ann", password: "p", role: "lu_reader", active: true }, 409, "User lu_ann already exists"],
  ];
  for (const [fields, status, error] of cases) {
    assert.deepEqual(await post({ operation: "add_user", ...fields }), { status, body: { error } }, JSON.stringify(fields));
  }
  assert.deepEqual(await userNames(), before);
  assert.ok(await post({ operation: "user_info" }, basic("lu_ann", "Ann-pw-1")).then((r) => r.status === 200));
});

test("alter_user changes role, password and active flag; unknown users are skipped; mistakes are 400s", async () => {
  await post({ operation: "add_role", role: "au_first", permission: { super_user: false } });
  await post({ operation: "add_role", role: "au_second", permission: { data: {} } });
  await post({ operation: "add_user", username: "au_bob", password: "Bob-pw-1", role: "au_first", active: true });
  const bob = basic("au_bob", "Bob-pw-1");
  assert.deepEqual((await post({ operation: "user_info" }, bob)).body.role.id, "au_first"); // now cached
  assert.deepEqual(await post({ operation: "alter_user", username: "au_bob", role: "au_second" }), {
    status: 200,
    body: { message: "updated 1 of 1 records", txn_time: 0, update_hashes: ["au_bob"], skipped_hashes: [] },
  });
  assert.deepEqual((await post({ operation: "user_info" }, bob)).body.role.id, "au_second");
  assert.deepEqual(await post({ operation: "alter_user", username: "au_nobody", active: false }), {
    status: 200,
    body: { message: "updated 0 of 1 records", txn_time: 0, update_hashes: [], skipped_hashes: ["au_nobody"] },
  });
  assert.ok(!(await userNames()).includes("au_nobody"));

  const before = ((await post({ operation: "list_users" })).body as Json[]).find((user) => user["username"] === "au_bob");
  const cases: Array<[Json, number, string]> = [
    [{ active: true }, 400, "username is required"],
    [{ username: "au_bob" }, 400, "nothing to update, must supply active, role or password to update"],
    [{ username: "au_bob", role: "" }, 400, "nothing to update, must supply active, role or password to update"],
    [{ username: "au_bob", password: "   " }, 400, "password cannot be an empty string"],
    [{ username: "au_bob", active: false, role: "" }, 400, "If role is specified, it cannot be empty."],
    [{ username: "au_bob", active: false, role: "ghost" }, 404, "Update failed.  Requested 'ghost' role not found."],
    [{ username: "au_bob", active: "no" }, 400, "active must be true or false"],
  ];
  for (const [fields, status, error] of cases) {
    assert.deepEqual(await post({ operation: "alter_user", ...fields }), { status, body: { error } }, JSON.stringify(fields));
  }
  const after = ((await post({ operation: "list_users" })).body as Json[]).find((user) => user["username"] === "au_bob");
  assert.deepEqual(after, before);
  assert.equal((await post({ operation: "user_info" }, bob)).status, 200);
});

test("a changed password counts at once: the old one fails for Basic and token exchange, the new one works", async () => {
  await post({ operation: "add_role", role: "pw_role", permission: { super_user: false } });
  await post({ operation: "add_user", username: "pw_cid", password: "Old-pw-1", role: "pw_role", active: true });
  const old = basic("pw_cid", "Old-pw-1");
  assert.equal((await post({ operation: "user_info" }, old)).status, 200); // cached now
  await post({ operation: "alter_user", username: "pw_cid", password: "New-pw-2" });
  assert.deepEqual(await post({ operation: "user_info" }, old), { status: 401, body: { error: "Login failed" } });
  assert.equal((await post({ operation: "user_info" }, basic("pw_cid", "New-pw-2"))).body.username, "pw_cid");
  const tokens = { operation: "create_authentication_tokens", username: "pw_cid" };
  assert.equal((await post({ ...tokens, password: "Old-pw-1" }, null)).status, 401);
  assert.equal((await post({ ...tokens, password: "New-pw-2" }, null)).status, 200);
});

test("deactivating and dropping a user stops its Basic credentials and its tokens at once", async () => {
  await post({ operation: "add_role", role: "dr_role", permission: { super_user: false } });
  await post({ operation: "add_user", username: "dr_dan", password: "Dan-pw-1", role: "dr_role", active: true });
  const dan = basic("dr_dan", "Dan-pw-1");
  const made = await post({ operation: "create_authentication_tokens", username: "dr_dan", password: "Dan-pw-1" }, null);
  const bearer = `Bearer ${made.body.operation_token}`;
  const refresh = { operation: "refresh_operation_token", refresh_token: made.body.refresh_token };
  assert.equal((await post({ operation: "user_info" }, dan)).status, 200);
  assert.equal((await post({ operation: "user_info" }, bearer)).status, 200);

  await post({ operation: "alter_user", username: "dr_dan", active: false });
  assert.deepEqual(await post({ operation: "user_info" }, dan), {
    status: 401,
    body: { error: "Cannot complete request: User is inactive" },
  });
  assert.deepEqual(await post({ operation: "user_info" }, bearer), { status: 401, body: { error: "invalid token" } });
  assert.equal((await post(refresh)).status, 401);
  await post({ operation: "alter_user", username: "dr_dan", active: true });
  assert.equal((await post({ operation: "user_info" }, bearer)).status, 200);

  assert.deepEqual(await post({ operation: "drop_user", username: "dr_dan" }), { status: 200, body: { message: "dr_dan successfully deleted" } });
  assert.deepEqual(await post({ operation: "user_info" }, dan), { status: 401, body: { error: "Login failed" } });
  // As in Harper: the token of a dropped user resolves to a user without a role.
  assert.deepEqual(await post({ operation: "user_info" }, bearer), {
    status: 403,
    body: {
      error: "This operation is not authorized due to role restrictions and/or invalid database items",
      unauthorized_access: ["User dr_dan has no role or permissions.  Please assign the user a valid role."],
      invalid_schema_items: [],
    },
  });
  assert.deepEqual(await post(refresh), { status: 401, body: { error: "invalid token" } });
  assert.deepEqual(await post({ operation: "drop_user", username: "dr_dan" }), { status: 404, body: { error: "User dr_dan does not exist" } });
  assert.deepEqual(await post({ operation: "drop_user" }), { status: 400, body: { error: "Username can't be blank" } });
});

test("a role change reaches its users at once, and only super users manage users and roles", async () => {
  await post({ operation: "add_role", role: "rc_role", permission: { super_user: false } });
  await post({ operation: "add_user", username: "rc_eve", password: "Eve-pw-1", role: "rc_role", active: true });
  const eve = basic("rc_eve", "Eve-pw-1");
  assert.equal((await post({ operation: "list_roles" }, eve)).status, 403);
  await post({ operation: "alter_role", id: "rc_role", permission: { super_user: true } });
  assert.deepEqual((await post({ operation: "user_info" }, eve)).body.role.permission, { super_user: true });
  assert.equal((await post({ operation: "list_roles" }, eve)).status, 200);
  await post({ operation: "alter_role", id: "rc_role", permission: { super_user: false } });
  assert.deepEqual((await post({ operation: "add_user", username: "rc_x", password: "p", role: "rc_role", active: true }, eve)).body, {
    error: "This operation is not authorized due to role restrictions and/or invalid database items",
    unauthorized_access: ["Operation 'addUser' is restricted to 'super_user' roles"],
    invalid_schema_items: [],
  });
});

test("gRPC clients get the same operations and the role validation detail", async () => {
  const client = createClient(UserService, createConnectTransport({ baseUrl: `http://127.0.0.1:${server.port}`, httpVersion: "1.1" }));
  const headers = { authorization: admin };
  const added = await client.addRole({ role: "grpc_role", permission: { super_user: false } }, { headers });
  assert.equal(added.id, "grpc_role");
  const failure = await client.addRole({ role: "grpc_bad", permission: { ghost: {} } }, { headers }).catch((e: unknown) => e);
  assert.ok(failure instanceof ConnectError && failure.code === Code.InvalidArgument);
  const [detail] = failure.findDetails(RoleValidationErrorDetailSchema);
  assert.deepEqual(detail?.mainPermissions, ["database 'ghost' does not exist"]);
  await client.addUser({ username: "grpc_gus", password: "Gus-pw-1", role: "grpc_role", active: true }, { headers });
  const listed = await client.listUsers({}, { headers });
  assert.equal(listed.users.find((user) => user.username === "grpc_gus")?.role?.id, "grpc_role");
  assert.equal((await client.dropUser({ username: "grpc_gus" }, { headers })).message, "grpc_gus successfully deleted");
});

test("no answer ever carried a password, a hash or a refresh token hash", () => {
  assert.ok(answers.length > 50);
  for (const text of answers) {
    assert.ok(!/scrypt|"password"|"hash"|"hash_function"|Old-pw-1|New-pw-2/.test(text), text);
  }
});
