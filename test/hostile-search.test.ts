import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import type { Client } from "@connectrpc/connect";
import { createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { create } from "@bufbuild/protobuf";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { NoSqlConditionSchema, NoSqlService } from "../gen/harper/v1/nosql_service_pb.js";
import type { RunningServer } from "../src/main.js";
import { checkConditionLimits, defaultSearchLimits, maxConditionDepth } from "../src/services/search-query.js";
import { basic, startTestServer, stopTestServer } from "./server-fixture.js";

// Hostile NoSQL requests (issue 13): primary keys that are not finite numbers (`1e400` and 400
// digits are Infinity after JSON.parse), `between` without a [low, high] value, too many or too
// deeply nested search conditions, and names that are paths (`.`, `..`). Each answers 400 with
// a message naming the mistake or the limit, quickly; the server answers a probe in under a
// second after each, and nothing was written.

let root: string;
let server: RunningServer;
let sessions: Http2SessionManager;
let client: Client<typeof NoSqlService>;
const headers = { authorization: basic("admin", "password") };

type Answer = { status: number; body: unknown; ms: number };

/** POSTs a body (a string is sent as is, for numbers JSON.stringify cannot write). */
async function post(body: unknown): Promise<Answer> {
  const started = performance.now();
  const res = await fetch(`http://127.0.0.1:${server.port}/`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: headers.authorization },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) as unknown, ms: performance.now() - started };
}

const rows = [
  { id: 1, a: 5, name: "keep" },
  { id: 2, a: 10, name: "also" },
];

before(async () => {
  ({ server, root } = await startTestServer());
  sessions = new Http2SessionManager(`http://127.0.0.1:${server.port}`);
  client = createClient(NoSqlService, createGrpcTransport({ baseUrl: `http://127.0.0.1:${server.port}`, sessionManager: sessions }));
  assert.equal((await post({ operation: "create_table", database: "h", table: "t", primary_key: "id" })).status, 200);
  assert.equal((await post({ operation: "insert", database: "h", table: "t", records: rows })).status, 200);
});
after(async () => {
  sessions.abort();
  await stopTestServer(server, root);
});

/** A probe answers quickly and exactly, and h.t holds only its two records, unchanged. */
async function assertHealthy(what: string): Promise<void> {
  const probe = await post({ operation: "search_by_value", database: "h", table: "t", attribute: "id", value: "*", get_attributes: ["id", "a", "name"] });
  assert.deepEqual(probe.body, rows, `${what}: the data changed`);
  assert.equal(probe.status, 200, what);
  assert.ok(probe.ms < 1000, `${what}: the probe took ${probe.ms} ms`);
  const described = await post({ operation: "describe_all" });
  assert.deepEqual(Object.keys(described.body as object), ["data", "h"], `${what}: a database was made`);
  assert.deepEqual(Object.keys((described.body as Record<string, object>)["h"]!), ["t"], `${what}: a table was made`);
}

/** Sends each body; expects exactly `status` and `{"error": message}` within a second, then checks health. */
async function assertRefused(cases: ReadonlyArray<readonly [unknown, string]>, status = 400): Promise<void> {
  for (const [body, error] of cases) {
    const what = (typeof body === "string" ? body : JSON.stringify(body)).slice(0, 160);
    const answer = await post(body);
    assert.deepEqual({ status: answer.status, body: answer.body }, { status, body: { error } }, what);
    assert.ok(answer.ms < 1000, `${what}: answered after ${answer.ms} ms`);
    await assertHealthy(what);
  }
}

/** Expects a gRPC call to fail with INVALID_ARGUMENT and exactly `message`. */
async function assertInvalid(call: Promise<unknown>, message: string): Promise<void> {
  await assert.rejects(call, (error: unknown) => {
    assert.ok(error instanceof ConnectError, String(error));
    assert.equal(error.rawMessage, message);
    assert.equal(error.code, Code.InvalidArgument);
    return true;
  });
  await assertHealthy(message);
}

const table = `"database":"h","table":"t"`;
const infinity = "Invalid primary key: Infinity";

test("a primary key of 1e400 or of 400 digits (Infinity in JSON) is refused by every write and read by id", async () => {
  const digits = "9".repeat(400);
  await assertRefused([
    [`{"operation":"insert",${table},"records":[{"id":1e400,"a":1}]}`, infinity],
    [`{"operation":"insert",${table},"records":[{"id":${digits},"a":1}]}`, infinity],
    [`{"operation":"upsert",${table},"records":[{"id":-1e400}]}`, "Invalid primary key: -Infinity"],
    [`{"operation":"update",${table},"records":[{"id":1e400,"a":1}]}`, infinity],
    [`{"operation":"search_by_id",${table},"ids":[1e400],"get_attributes":["*"]}`, infinity],
    [`{"operation":"search_by_hash",${table},"hash_values":[1,${digits}],"get_attributes":["*"]}`, infinity],
    [`{"operation":"delete",${table},"ids":[1e400]}`, infinity],
    [`{"operation":"delete",${table},"hash_values":[2,-1e400]}`, "Invalid primary key: -Infinity"],
  ]);
});

test("1e400 as a searched value is just a number that matches nothing", async () => {
  for (const body of [
    `{"operation":"search_by_value",${table},"attribute":"a","value":1e400,"get_attributes":["id"]}`,
    `{"operation":"search_by_conditions",${table},"conditions":[{"attribute":"a","value":1e400}],"get_attributes":["id"]}`,
  ]) {
    const answer = await post(body);
    assert.deepEqual({ status: answer.status, body: answer.body }, { status: 200, body: [] }, body);
  }
  await assertHealthy("1e400 searched");
});

test("gRPC ids and keys that are Infinity or NaN are refused the same way", async () => {
  const number = (value: number) => ({ kind: { case: "numberValue" as const, value } });
  await assertInvalid(client.searchById({ database: "h", table: "t", ids: { values: [number(Infinity)] }, getAttributes: { values: [{ kind: { case: "stringValue", value: "*" } }] } }, { headers }), infinity);
  await assertInvalid(client.delete({ database: "h", table: "t", ids: { values: [number(NaN)] } }, { headers }), "Invalid primary key: NaN");
  const record = { kind: { case: "structValue" as const, value: { fields: { id: number(NaN) } } } };
  await assertInvalid(client.insert({ database: "h", table: "t", records: { values: [record] } }, { headers }), "Invalid primary key: NaN");
});

test("between takes [low, high] or [low]: a string, a number, null, [] or three bounds are refused", async () => {
  const between = (value: string) => `{"operation":"search_by_conditions",${table},"get_attributes":["id"],"conditions":[{"attribute":"a","comparator":"between","value":${value}}]}`;
  const message = (what: string) => `Search condition for a with comparator 'between' must have a value of [low, high] (or [low]), not ${what}`;
  await assertRefused([
    [between(`"5"`), message("a string")],
    [between("5"), message("a number")],
    [between("null"), message("null")],
    [between("true"), message("a boolean")],
    [between(`{"low":1}`), message("an object")],
    [between("[]"), message("an array of 0 items")],
    [between("[1,5,10]"), message("an array of 3 items")],
    [`{"operation":"search_by_conditions",${table},"get_attributes":["id"],"conditions":[{"search_attribute":"a","search_type":"...","search_value":"5"}]}`, message("a string")],
  ]);
  for (const [value, ids] of [["[5,9]", [1]], ["[6]", [2]], ["[5,10]", [1, 2]]] as const) {
    const answer = await post(between(value));
    assert.deepEqual({ status: answer.status, body: answer.body }, { status: 200, body: ids.map((id) => ({ id })) }, value);
  }
});

test("more than operationsApi.limits.conditions conditions, nested ones counted, are refused", async () => {
  const limit = "search_by_conditions has more than 1000 conditions (groups and nested conditions included), the limit (operationsApi.limits.conditions)";
  const conditions = (n: number) => Array.from({ length: n }, (_, i) => ({ attribute: "a", value: i + 100 }));
  const flat = (n: number) => ({ operation: "search_by_conditions", database: "h", table: "t", operator: "or", get_attributes: ["id"], conditions: conditions(n) });
  // 10 groups of 99 conditions: 1000 in all, within the limit; of 100: 1010, over it.
  const grouped = (each: number) => ({ ...flat(0), conditions: Array.from({ length: 10 }, () => ({ operator: "or", conditions: conditions(each) })) });
  await assertRefused([
    [flat(1001), limit],
    [grouped(100), limit],
    [flat(200_000), limit],
  ]);
  for (const body of [flat(1000), grouped(99)]) {
    const answer = await post(body);
    assert.deepEqual({ status: answer.status, body: answer.body }, { status: 200, body: [] });
  }
});

test("conditions nested 5,000 deep over JSON, 2,000 deep over gRPC are refused; the service counts depth itself", async () => {
  const nestedJson = (n: number) => `{"operation":"search_by_conditions",${table},"get_attributes":["id"],"conditions":[${`{"operator":"and","conditions":[`.repeat(n)}{"attribute":"a","value":5}${"]}".repeat(n)}]}`;
  const json = await post(nestedJson(5000));
  assert.equal(json.status, 400, JSON.stringify(json.body));
  // The JSON adapter's body depth limit stops it first; its message names that limit.
  assert.match((json.body as { error: string }).error, /limit/);
  await assertHealthy("conditions nested 5,000 deep over JSON");

  type Condition = MessageInitShape<typeof NoSqlConditionSchema>;
  const nested = (groups: number): Condition[] => {
    let condition: Condition = { attribute: "a", value: { kind: { case: "numberValue", value: 5 } } };
    for (let i = 0; i < groups; i++) condition = { operator: "and", conditions: [condition] };
    return [condition];
  };
  const search = (groups: number) => client.searchByConditions({ database: "h", table: "t", conditions: nested(groups), getAttributes: { values: [{ kind: { case: "stringValue", value: "id" } }] } }, { headers });
  // protobuf-es refuses to decode messages nested more than 100 deep (binary and JSON), before
  // the service sees them; protobuf-es cannot build a deeper message on the client's own stack.
  await assert.rejects(search(2000), (error: unknown) => {
    assert.ok(error instanceof ConnectError, String(error));
    assert.equal(error.code, Code.InvalidArgument);
    assert.match(error.rawMessage, /maximum recursion depth of 100 reached/);
    return true;
  });
  await assertHealthy("conditions nested 2,000 deep over gRPC");
  assert.deepEqual((await search(40)).records, [{ id: 1 }]);

  // The service's own count, for callers that build requests in-process: the top-level condition
  // is at depth 1, so 99 groups around it make 100 levels and 100 groups 101.
  const conditions = (groups: number) => nested(groups).map((c) => create(NoSqlConditionSchema, c));
  assert.doesNotThrow(() => checkConditionLimits(conditions(99), defaultSearchLimits));
  assert.throws(() => checkConditionLimits(conditions(100), defaultSearchLimits), (error: unknown) => {
    assert.ok(error instanceof ConnectError);
    assert.equal(error.code, Code.InvalidArgument);
    assert.equal(error.rawMessage, `search conditions nest more than ${maxConditionDepth} groups deep, the limit`);
    return true;
  });
  assert.throws(() => checkConditionLimits(conditions(20), { conditions: 20 }), /more than 20 conditions/);
  assert.doesNotThrow(() => checkConditionLimits(conditions(20), { conditions: 21 }));
});

test("'.' and '..' are refused as database, table and primary key names; the data folder is untouched", async () => {
  await assertRefused([
    [{ operation: "create_table", database: "h", table: "..", primary_key: "id" }, "'table' cannot be '..'"],
    [{ operation: "create_table", database: "h", table: ".", primary_key: "id" }, "'table' cannot be '.'"],
    [{ operation: "create_table", database: "..", table: "x", primary_key: "id" }, "'database' cannot be '..'. 'schema' cannot be '..'"],
    [{ operation: "create_table", database: "h", table: "x", primary_key: ".." }, "'hash_attribute' cannot be '..'"],
    [{ operation: "create_database", database: "." }, "'database' cannot be '.'"],
    [{ operation: "create_database", database: ".." }, "'database' cannot be '..'"],
  ]);
  // Dropping them is refused too (Harper 4.7.29's drop_database of '..' removes its root folder).
  const dropped = await post({ operation: "drop_database", database: ".." });
  assert.equal(dropped.status, 400, JSON.stringify(dropped.body));
  assert.deepEqual(dropped.body, { error: "'database' cannot be '..'" });
  const droppedTable = await post({ operation: "drop_table", database: "h", table: ".." });
  assert.deepEqual({ status: droppedTable.status, body: droppedTable.body }, { status: 404, body: { error: "Table 'h...' does not exist" } });
  assert.ok(existsSync(join(root, "database")), "the data folder is gone");
  await assertHealthy("drop_database ..");
  // Names that merely contain dots remain fine (spec databases-tables §0.2).
  for (const name of ["...", "a.b", ".x"]) {
    const created = await post({ operation: "create_table", database: "dots", table: name, primary_key: "id" });
    assert.deepEqual(created.body, { message: `table 'dots.${name}' successfully created.` });
  }
  assert.equal((await post({ operation: "drop_database", database: "dots" })).status, 200);
});
