import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type { RunningServer } from "../src/main.js";
import { startTestServer, stopTestServer } from "./server-fixture.js";

// Bad input over the JSON API: each gets Harper's message (or ours where Harper has a bug) with a
// 4xx, and nothing is written.

let root: string;
let server: RunningServer;
before(async () => {
  ({ server, root } = await startTestServer());
  await post({ operation: "create_table", database: "h", table: "t", primary_key: "id" });
  await post({ operation: "insert", database: "h", table: "t", records: [{ id: 1, name: "keep" }, { id: 2 }] });
});
after(async () => {
  await stopTestServer(server, root);
});

async function post(body: unknown) {
  const res = await fetch(`http://127.0.0.1:${server.port}/`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Basic ${Buffer.from("admin:password").toString("base64")}` },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as unknown };
}

const count = async () =>
  ((await post({ operation: "search_by_value", database: "h", table: "t", attribute: "id", value: "*", get_attributes: ["id"] })).body as unknown[]).length;

test("__proto__ is refused as a database, table or attribute name", async () => {
  assert.deepEqual(await post({ operation: "create_database", database: "__proto__" }), {
    status: 400,
    body: { error: "'database' cannot be '__proto__'" },
  });
  assert.equal((await post({ operation: "create_table", database: "h", table: "__proto__", primary_key: "id" })).status, 400);
  const raw = '{"operation":"insert","database":"h","table":"t","records":[{"id":9,"__proto__":{"x":1}}]}';
  assert.deepEqual(await post(raw), { status: 400, body: { error: "Invalid attribute name: '__proto__'" } });
  assert.equal(await count(), 2);
});

test("records that are not objects, bad keys and bad key types are refused and write nothing", async () => {
  const cases: Array<[unknown, string]> = [
    [{ operation: "insert", database: "h", table: "t", records: [{ id: 5 }, 7] }, "'records[1]' must be of type object"],
    [{ operation: "insert", database: "h", table: "t", records: { id: 5 } }, "'records' must be an array"],
    [{ operation: "insert", database: "h", table: "t", records: [{ id: 5 }, { id: true }] }, "Invalid primary key type: boolean"],
    [{ operation: "insert", database: "h", table: "t", records: [{ id: 5, "a/b": 1 }] }, "Attribute names cannot include backticks or forward slashes"],
    [{ operation: "insert", database: "h", table: "t", records: [{ id: 5, null: 1 }] }, "Invalid attribute name: 'null'"],
    [{ operation: "update", database: "h", table: "t", records: [{ id: 1, name: "x" }, { name: "no key" }] }, "a valid hash attribute must be provided with update record, check log for more info"],
  ];
  for (const [body, error] of cases) {
    const res = await post(body);
    assert.equal(res.status, 400, JSON.stringify(body));
    assert.deepEqual(res.body, { error });
  }
  assert.equal(await count(), 2);
  const kept = await post({ operation: "search_by_id", database: "h", table: "t", ids: [1], get_attributes: ["name"] });
  assert.deepEqual(kept.body, [{ name: "keep" }]);
});

test("delete with an object id is refused and deletes nothing (Harper 4.7 empties the table)", async () => {
  assert.deepEqual(await post({ operation: "delete", database: "h", table: "t", ids: [{}] }), {
    status: 400,
    body: { error: "Invalid primary key type: object" },
  });
  assert.equal(await count(), 2);
});

test("the system database cannot be changed through NoSQL writes or drops", async () => {
  const forbidden = "The 'system' database, tables and records are used internally by HarperDB and cannot be updated or removed.";
  assert.deepEqual(await post({ operation: "delete", database: "system", table: "hdb_user", ids: ["admin"] }), {
    status: 403,
    body: { error: forbidden },
  });
  assert.deepEqual(await post({ operation: "drop_database", database: "system" }), { status: 403, body: { error: forbidden } });
  assert.equal((await post({ operation: "describe_all" })).body instanceof Object, true);
  assert.equal("system" in ((await post({ operation: "describe_all" })).body as object), false);
});
