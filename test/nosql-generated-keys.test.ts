import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type { RunningServer } from "../src/main.js";
import { poster, startTestServer, stopTestServer } from "./server-fixture.js";

// Records written without a primary key get a generated key, and the answer reports it (Harper
// 4.7.29 reports null: docs/compatibility.md), so the client can find what it wrote.

let root: string;
let server: RunningServer;
const post = poster(() => server);

before(async () => {
  ({ server, root } = await startTestServer());
  await post({ operation: "create_database", database: "keys" });
  await post({ operation: "create_table", database: "keys", table: "events", primary_key: "id" });
});

after(async () => {
  await stopTestServer(server, root);
});

/** The records of `keys.events` with the given ids, in id order. */
async function byId(ids: unknown[]): Promise<Array<Record<string, unknown>>> {
  const res = await post({ operation: "search_by_id", database: "keys", table: "events", ids, get_attributes: ["id", "kind"] });
  assert.equal(res.status, 200);
  return res.body;
}

test("inserted_hashes holds the generated key of each record written, and the record reads back by it", async () => {
  const res = await post({
    operation: "insert",
    database: "keys",
    table: "events",
    records: [{ kind: "login" }, { id: 7, kind: "given" }, { kind: "logout" }],
  });
  assert.equal(res.status, 200);
  assert.equal(res.body.message, "inserted 3 of 3 records");
  assert.deepEqual(res.body.skipped_hashes, []);
  const [first, given, last] = res.body.inserted_hashes as unknown[];
  assert.equal(typeof first, "number");
  assert.equal(given, 7);
  assert.equal(typeof last, "number");
  assert.notEqual(first, last);
  assert.deepEqual(await byId([first, given, last]), [
    { id: first, kind: "login" },
    { id: 7, kind: "given" },
    { id: last, kind: "logout" },
  ]);
});

test("upserted_hashes holds the generated key of each record written, and the record reads back by it", async () => {
  const res = await post({ operation: "upsert", database: "keys", table: "events", records: [{ kind: "ping" }] });
  assert.equal(res.status, 200);
  assert.equal(res.body.message, "upserted 1 of 1 records");
  const [key] = res.body.upserted_hashes as unknown[];
  assert.equal(typeof key, "number");
  assert.deepEqual(await byId([key]), [{ id: key, kind: "ping" }]);
});

test("a SQL INSERT without the key column reports the keys it generated, and the rows read back by them", async () => {
  const res = await post({ operation: "sql", sql: "INSERT INTO keys.events (kind) VALUES ('a'), ('b')" });
  assert.equal(res.status, 200);
  assert.equal(res.body.message, "inserted 2 of 2 records");
  assert.deepEqual(res.body.skipped_hashes, []);
  const keys = res.body.inserted_hashes as unknown[];
  assert.deepEqual(keys.map((k) => typeof k), ["number", "number"]);
  assert.deepEqual(await byId(keys), [
    { id: keys[0], kind: "a" },
    { id: keys[1], kind: "b" },
  ]);
  const read = await post({ operation: "sql", sql: `SELECT kind FROM keys.events WHERE id = ${String(keys[1])}` });
  assert.deepEqual(read.body, [{ kind: "b" }]);
});
