import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import type { RunningServer } from "../src/main.js";
import { basic, startTestServer, stopTestServer } from "./server-fixture.js";

// Bad input over the JSON API (spec nosql.md §1.4, §2.2, §3, §5-§7; databases-tables.md §0):
// each gets Harper's exact status and message, or ours where Harper answers a client mistake
// with 500 or has a plain bug (docs/compatibility.md), and writes nothing. After every hostile
// request the server still answers a normal one exactly, Object.prototype is untouched, and no
// answer ever carries a stack trace, a file path of the server or an internal type name.

let root: string;
let server: RunningServer;
const repoDir = fileURLToPath(new URL("../../", import.meta.url));

type Answer = { status: number; body: unknown };
const prototypeNames = Object.getOwnPropertyNames(Object.prototype);

before(async () => {
  ({ server, root } = await startTestServer());
  for (const [body, message] of [
    [{ operation: "create_table", database: "h", table: "t", primary_key: "id" }, "table 'h.t' successfully created."],
    [{ operation: "create_table", database: "h", table: "ok", primary_key: "id" }, "table 'h.ok' successfully created."],
  ] as const) {
    assert.deepEqual(await post(body), { status: 200, body: { message } });
  }
  assert.deepEqual(await post({ operation: "insert", database: "h", table: "t", records: [{ id: 1, name: "keep" }, { id: 2 }] }), {
    status: 200,
    body: { message: "inserted 2 of 2 records", inserted_hashes: [1, 2], skipped_hashes: [] },
  });
});
after(async () => {
  await stopTestServer(server, root);
});

/** Fails when an answer shows the server's insides: a stack frame, a path, a JS error name, a proto type. */
function assertNothingInternal(text: string, what: string): void {
  assert.doesNotMatch(text, /\bat\s+\S*\s*\(?(?:file:\/\/|\/|node:)[^)"]*:\d+:\d+/, `${what}: a stack frame in ${text}`);
  assert.doesNotMatch(text, /\\n\s+at\s/, `${what}: a stack trace in ${text}`);
  assert.doesNotMatch(text, /\b(?:TypeError|ReferenceError|RangeError|SyntaxError|AssertionError)\b/, `${what}: a JS error in ${text}`);
  for (const internal of [root, repoDir, process.cwd(), "node_modules", "file://", "/dist/", "/src/", ".ts:", ".js:", "harper.v1."]) {
    assert.ok(!text.includes(internal), `${what}: '${internal}' in ${text}`);
  }
}

/** POSTs a body (a string is sent as is) as admin; checks the raw answer before parsing it. */
async function post(body: unknown): Promise<Answer> {
  const res = await fetch(`http://127.0.0.1:${server.port}/`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: basic("admin", "password") },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  const what = typeof body === "string" ? body : JSON.stringify(body);
  assertNothingInternal(text, what.slice(0, 200));
  return { status: res.status, body: JSON.parse(text) as unknown };
}

/** The server still answers normal requests exactly, table h.t holds only its two records, no prototype was polluted. */
async function assertHealthy(afterWhat: unknown): Promise<void> {
  const where = `after ${JSON.stringify(afterWhat).slice(0, 200)}`;
  assert.deepEqual(
    await post({ operation: "search_by_id", database: "h", table: "t", ids: [1, 2], get_attributes: ["id", "name"] }),
    { status: 200, body: [{ id: 1, name: "keep" }, { id: 2, name: null }] },
    where,
  );
  assert.deepEqual(
    await post({ operation: "search_by_value", database: "h", table: "t", attribute: "id", value: "*", get_attributes: ["id"] }),
    { status: 200, body: [{ id: 1 }, { id: 2 }] },
    `${where}: something was written`,
  );
  assert.deepEqual(Object.getOwnPropertyNames(Object.prototype), prototypeNames, `${where}: Object.prototype was changed`);
  assert.equal(({} as Record<string, unknown>)["polluted"], undefined, `${where}: Object.prototype is polluted`);
}

/** Sends each hostile body, expects exactly `status` and `{"error": message}`, then checks the server is healthy. */
async function assertRefused(cases: ReadonlyArray<readonly [unknown, number, string]>): Promise<void> {
  for (const [body, status, error] of cases) {
    assert.deepEqual(await post(body), { status, body: { error } }, JSON.stringify(body));
    await assertHealthy(body);
  }
}

const protoKey = (operation: string) =>
  `{"operation":"${operation}","database":"h","table":"t","records":[{"id":1,"__proto__":{"polluted":true,"name":"polluted"}}]}`;

test("__proto__ is refused as a database, table, primary key, attribute or record key, and cannot be searched", async () => {
  await assertRefused([
    [{ operation: "create_database", database: "__proto__" }, 400, "'database' cannot be '__proto__'"],
    [{ operation: "create_table", database: "h", table: "__proto__", primary_key: "id" }, 400, "'table' cannot be '__proto__'"],
    [{ operation: "create_table", database: "__proto__", table: "x", primary_key: "id" }, 400, "'database' cannot be '__proto__'. 'schema' cannot be '__proto__'"],
    [{ operation: "create_table", database: "h", table: "x", primary_key: "__proto__" }, 400, "'hash_attribute' cannot be '__proto__'"],
    [{ operation: "create_attribute", database: "h", table: "t", attribute: "__proto__" }, 400, "Invalid attribute name: '__proto__'"],
    // Harper 4.7.29's body parser refuses a __proto__ key anywhere before the operation runs
    // (recorded from the real server).
    [protoKey("insert").replace('"id":1', '"id":9'), 400, "Object contains forbidden prototype property"],
    [protoKey("upsert"), 400, "Object contains forbidden prototype property"],
    [protoKey("update"), 400, "Object contains forbidden prototype property"],
    [{ operation: "search_by_id", database: "h", table: "t", ids: [1], get_attributes: ["__proto__"] }, 400, "unknown attribute '__proto__'"],
    [{ operation: "search_by_value", database: "h", table: "t", attribute: "__proto__", value: "*", get_attributes: ["id"] }, 400, "unknown attribute '__proto__'"],
    [
      { operation: "search_by_conditions", database: "h", table: "t", get_attributes: ["id"], conditions: [{ attribute: "__proto__", comparator: "equals", value: 1 }] },
      400,
      "unknown attribute '__proto__'",
    ],
  ]);
});

test("records that are not objects, bad attribute names and bad primary keys are refused and write nothing", async () => {
  const insert = (records: unknown) => ({ operation: "insert", database: "h", table: "t", records });
  await assertRefused([
    [insert([{ id: 5 }, 7]), 400, "'records[1]' must be of type object"],
    [insert([null]), 400, "'records[0]' must be of type object"],
    [insert([[1, 2]]), 400, "'records[0]' must be of type object"],
    [insert(["x"]), 400, "'records[0]' must be of type object"],
    [insert({ id: 5 }), 400, "'records' must be an array"],
    [insert("x"), 400, "'records' must be an array"],
    // Harper answers a non-key primary key with 500 and the same message: a client mistake, so 400.
    [insert([{ id: 5 }, { id: true }]), 400, "Invalid primary key type: boolean"],
    [insert([{ id: 5 }, { id: { a: 1 } }]), 400, "Invalid primary key type: object"],
    [insert([{ id: "x".repeat(2000) }]), 400, "Primary key size is too large: 2000"],
    [insert([{ id: "null" }]), 400, "Invalid hash value: 'null' is not a valid hash attribute value, check log for more info"],
    [insert([{ id: "undefined" }]), 400, "Invalid hash value: 'undefined' is not a valid hash attribute value, check log for more info"],
    [insert([{ id: 5, "a/b": 1 }]), 400, "Attribute names cannot include backticks or forward slashes"],
    [insert([{ id: 5, "a`b": 1 }]), 400, "Attribute names cannot include backticks or forward slashes"],
    [insert([{ id: 5, null: 1 }]), 400, "Invalid attribute name: 'null'"],
    [insert([{ id: 5, "": 1 }]), 400, "Invalid attribute name: ''"],
    [insert([{ id: 5, undefined: 1, null: 2 }]), 400, "Invalid attribute name: 'undefined'. Invalid attribute name: 'null'"],
    [
      insert([{ id: 5, ["a".repeat(251)]: 1 }]),
      400,
      `transaction aborted due to attribute name ${"a".repeat(251)} being too long. Attribute names cannot be longer than 250 bytes.`,
    ],
    ...[{ name: "no key" }, { id: null, name: "x" }, { id: "", name: "x" }].map(
      (bad) =>
        [
          { operation: "update", database: "h", table: "t", records: [{ id: 1, name: "x" }, bad] },
          400,
          "a valid hash attribute must be provided with update record, check log for more info",
        ] as const,
    ),
  ]);
});

test("delete with an id that is not a string or number is refused and deletes nothing (Harper 4.7 empties the table)", async () => {
  const del = (ids: unknown, key = "ids") => ({ operation: "delete", database: "h", table: "t", [key]: ids });
  await assertRefused([
    [del([{}]), 400, "Invalid primary key type: object"],
    [del([[1]]), 400, "Invalid primary key type: array"],
    [del([true]), 400, "Invalid primary key type: boolean"],
    [del([null]), 400, "Invalid primary key type: null"],
    [del([1, {}]), 400, "Invalid primary key type: object"],
    [del([{}], "hash_values"), 400, "Invalid primary key type: object"],
  ]);
});

test("searches refuse ids, attribute lists and conditions of the wrong type", async () => {
  const search = { database: "h", table: "t" };
  await assertRefused([
    // Harper answers these with 500 and the same message: a client mistake, so 400.
    [{ operation: "search_by_id", ...search, ids: [{}], get_attributes: ["id"] }, 400, "'hash_values' must be strings or numbers"],
    [{ operation: "search_by_id", ...search, ids: [1], get_attributes: "id" }, 400, "'get_attributes' must be an array"],
    [{ operation: "search_by_conditions", ...search, get_attributes: ["id"], conditions: "x" }, 400, "'conditions' must be an array"],
  ]);
});

test("the system database cannot be dropped, and a super user's raw writes cannot remove the last active super user", async () => {
  const forbidden = "The 'system' database, tables and records are used internally by HarperDB and cannot be updated or removed.";
  const lastSuperUser = "This change would leave no active super user; it is refused so that the server stays administrable";
  const system = { database: "system", table: "hdb_user" };
  await assertRefused([
    // Harper 4.7.29 lets a super user do these three, and locks itself out (docs/compatibility.md).
    [{ operation: "delete", ...system, ids: ["admin"] }, 400, lastSuperUser],
    [{ operation: "update", ...system, records: [{ username: "admin", active: false }] }, 400, lastSuperUser],
    [{ operation: "upsert", ...system, records: [{ username: "admin", active: false }] }, 400, lastSuperUser],
    [{ operation: "update", database: "system", table: "hdb_role", records: [{ id: "super_user", permission: {} }] }, 400, lastSuperUser],
    [{ operation: "delete", database: "system", table: "hdb_role", ids: ["super_user"] }, 400, lastSuperUser],
    [{ operation: "drop_attribute", ...system, attribute: "role" }, 403, forbidden],
    [{ operation: "drop_table", ...system }, 403, forbidden],
    [{ operation: "drop_database", database: "system" }, 403, forbidden],
    // Harper creates a table there that can never be dropped (docs/compatibility.md).
    [{ operation: "create_table", database: "system", table: "evil", primary_key: "id" }, 403, forbidden],
  ]);
  // Every check above authenticated as admin, so admin is still there and active. describe_all
  // hides system and shows no database or table that any refused request named.
  const all = await post({ operation: "describe_all" });
  assert.equal(all.status, 200);
  const body = all.body as Record<string, Record<string, Record<string, unknown>>>;
  assert.deepEqual(Object.keys(body).sort(), ["data", "h"]);
  assert.deepEqual(body["data"], {});
  assert.deepEqual(Object.keys(body["h"]!).sort(), ["ok", "t"]);
  const { db_size, table_size, db_audit_size, last_updated_record, ...t } = body["h"]!["t"]!;
  for (const size of [db_size, table_size, db_audit_size, last_updated_record]) assert.equal(typeof size, "number");
  assert.deepEqual(t, {
    schema: "h",
    name: "t",
    hash_attribute: "id",
    audit: true,
    schema_defined: false,
    attributes: [
      { attribute: "id", is_primary_key: true },
      { attribute: "__createdtime__", indexed: true },
      { attribute: "__updatedtime__", indexed: true },
      { attribute: "name", indexed: true },
    ],
    sources: [],
    record_count: 2,
  });
});

test("hostile-looking input that Harper accepts is stored and read back exactly", async () => {
  // Keys named after Object.prototype members, a whitespace key and the empty-string primary key
  // are ordinary (nosql.md §1.1, §1.4).
  const record = { id: "", constructor: "c", toString: "t", hasOwnProperty: 1, valueOf: { x: 1 }, " ": "space" };
  assert.deepEqual(await post({ operation: "insert", database: "h", table: "ok", records: [record] }), {
    status: 200,
    body: { message: "inserted 1 of 1 records", inserted_hashes: [""], skipped_hashes: [] },
  });
  await assertHealthy(record);
  assert.deepEqual(
    await post({ operation: "search_by_id", database: "h", table: "ok", ids: [""], get_attributes: ["id", "constructor", "toString", "hasOwnProperty", "valueOf", " "] }),
    { status: 200, body: [record] },
  );

  // An attribute name of exactly 250 bytes is the longest allowed.
  const longest = "a".repeat(250);
  assert.deepEqual(await post({ operation: "insert", database: "h", table: "ok", records: [{ id: "long", [longest]: 1 }] }), {
    status: 200,
    body: { message: "inserted 1 of 1 records", inserted_hashes: ["long"], skipped_hashes: [] },
  });
  await assertHealthy(longest);
  assert.deepEqual(await post({ operation: "search_by_id", database: "h", table: "ok", ids: ["long"], get_attributes: [longest] }), {
    status: 200,
    body: [{ [longest]: 1 }],
  });

  // An object condition value never matches (Harper fails on it; docs/compatibility.md).
  const objectValue =
    '{"operation":"search_by_conditions","database":"h","table":"t","get_attributes":["id"],"conditions":[{"attribute":"id","comparator":"equals","value":{"polluted":true}}]}';
  assert.deepEqual(await post(objectValue), { status: 200, body: [] });
  await assertHealthy(objectValue);
});

// Answers the spec names for bodies of the wrong shape.

test("delete with ids that are not an array answers Harper's two messages", async () => {
  await assertRefused([[{ operation: "delete", database: "h", table: "t", ids: "1" }, 400, "'hash_values' must be an array. 'ids' must be an array"]]);
});

test("search_by_id with ids that are not an array answers 'hash_values' must be an array", async () => {
  await assertRefused([[{ operation: "search_by_id", database: "h", table: "t", ids: "1", get_attributes: ["id"] }, 400, "'hash_values' must be an array"]]);
});

test("search_by_conditions with a sort that is not an object answers 'sort' must be of type object", async () => {
  await assertRefused([[{ operation: "search_by_conditions", database: "h", table: "t", get_attributes: ["id"], sort: "x", conditions: [] }, 400, "'sort' must be of type object"]]);
});

test("a condition that is not an object is refused without naming an internal message type", async () => {
  await assertRefused([
    [{ operation: "search_by_conditions", database: "h", table: "t", get_attributes: ["id"], conditions: [7] }, 400, "'conditions[0]' must be of type object"],
  ]);
});

test("a __proto__ key or a constructor.prototype anywhere in the body is refused as Harper's parser refuses it", async () => {
  // Recorded from HarperDB 4.7.29: 400 before the operation runs, whatever the depth or escape.
  const nested = '{"operation":"insert","database":"h","table":"ok","records":[{"id":"nested","data":{"__proto__":{"polluted":true},"k":1}}]}';
  const escaped = '{"operation":"insert","database":"h","table":"ok","records":[{"id":"n5","\\u005f_proto__":{"a":1}}]}';
  const constructor = '{"operation":"insert","database":"h","table":"ok","records":[{"id":"n3","constructor":{"prototype":{"x":1}}}]}';
  const inArray = '[{"__proto__":1}]';
  const topLevel = '{"operation":"search_by_id","database":"h","table":"t","ids":[1],"get_attributes":["id","name"],"__proto__":{"table":"ok","ids":[2],"polluted":true}}';
  const inCondition =
    '{"operation":"search_by_conditions","database":"h","table":"t","get_attributes":["id"],"conditions":[{"attribute":"id","comparator":"equals","value":{"__proto__":{"polluted":true}}}]}';
  for (const raw of [nested, escaped, constructor, inArray, topLevel, inCondition]) {
    assert.deepEqual(await post(raw), { status: 400, body: { error: "Object contains forbidden prototype property" } }, raw);
    await assertHealthy(raw);
  }
  // The word as a value is data.
  const value = '{"operation":"insert","database":"h","table":"ok","records":[{"id":"n4","data":"__proto__"}]}';
  assert.deepEqual(await post(value), { status: 200, body: { message: "inserted 1 of 1 records", inserted_hashes: ["n4"], skipped_hashes: [] } });
});
