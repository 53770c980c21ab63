import { test } from "node:test";
import assert from "node:assert/strict";
import { withTable, storageError } from "./storage-fixture.js";
import { isStorageError } from "../src/storage/index.js";
import type { StorageRecord } from "../src/storage/index.js";



const ids = (records: Iterable<StorageRecord>) => Array.from(records, (record) => record["id"]);

test(
  "put stores a record under its primary key and keys are type-exact",
  withTable(async (table) => {
    await table.put({ id: 1, name: "Penny", tags: ["a", 1], nested: { deep: [null, true] }, born: new Date(0) });
    await table.put({ id: "1", name: "string one" });
    await table.put({ id: "", name: "empty string key" });
    const penny = table.get(1)!;
    assert.equal(penny["name"], "Penny");
    assert.deepEqual(penny["tags"], ["a", 1]);
    assert.deepEqual(penny["nested"], { deep: [null, true] });
    assert.deepEqual(penny["born"], new Date(0));
    assert.equal(table.get("1")!["name"], "string one");
    assert.equal(table.get("")!["name"], "empty string key");
    assert.equal(table.get(2), undefined);
    assert.deepEqual(
      table.getMany([2, 1, "1"]).map((record) => record?.["name"]),
      [undefined, "Penny", "string one"],
    );
    assert.equal(table.count(), 3);
  }),
);

test(
  "writes stamp __createdtime__ once and __updatedtime__ on every write, one timestamp per call",
  withTable(async (table) => {
    const input = { id: 1, __createdtime__: 5, __updatedtime__: 6 };
    await table.write("upsert", [input, { id: 2 }]);
    assert.deepEqual(input, { id: 1, __createdtime__: 5, __updatedtime__: 6 }, "the caller's record is not changed");
    const one = table.get(1)!;
    const two = table.get(2)!;
    const created = one["__createdtime__"] as number;
    assert.ok(created > 1_600_000_000_000, "client-supplied timestamps are replaced");
    assert.equal(one["__updatedtime__"], created);
    assert.equal(two["__createdtime__"], created, "all records of one call share the timestamp");
    await table.put({ id: 1, name: "changed" });
    const updated = table.get(1)!;
    assert.equal(updated["__createdtime__"], created, "kept on update");
    assert.ok((updated["__updatedtime__"] as number) > created);
    assert.equal(updated["name"], "changed");
  }),
);

test(
  "tables declared without the timestamp attributes are not stamped",
  withTable(async (_table, storage) => {
    const plain = await storage.createTable("dev", { name: "plain", primaryKey: "id", attributes: [{ name: "id" }] });
    await plain.put({ id: 1, v: 1 });
    assert.deepEqual(plain.get(1), { id: 1, v: 1 });
  }),
);

const written = (...keys: Array<string | number>) => keys.map((id) => ({ id, generated: false }));

test(
  "insert writes new keys and skips existing ones and repeats, leaving them untouched",
  withTable(async (table) => {
    assert.deepEqual(await table.write("insert", [{ id: 1, v: "a" }, { id: 2, v: "a" }]), { written: written(1, 2), skipped: [] });
    assert.deepEqual(
      await table.write("insert", [{ id: 2, v: "b" }, { id: 3, v: "b" }, { id: 3, v: "c" }, { id: "2", v: "b" }]),
      { written: written(3, "2"), skipped: [2, 3] },
    );
    assert.deepEqual(ids(table.scan()), [1, 2, 3, "2"]);
    assert.equal(table.get(2)!["v"], "a");
    assert.equal(table.get(3)!["v"], "b", "the first of two repeats wins");
    assert.deepEqual(await table.write("insert", []), { written: [], skipped: [] });
  }),
);

test(
  "writes store nothing when one record has an invalid primary key",
  withTable(async (table) => {
    await table.put({ id: 0 });
    await assert.rejects(
      table.write("update", [{ id: 0 }, { name: "no key" }]),
      storageError("INVALID", "a valid hash attribute must be provided with update record, check log for more info"),
    );
    await assert.rejects(table.write("upsert", [{ id: 1 }, { id: true }]), storageError("INVALID", "Invalid primary key type: boolean"));
    await assert.rejects(table.write("upsert", [{ id: 1 }, { id: { a: 1 } }]), storageError("INVALID", "Invalid primary key type: object"));
    await assert.rejects(
      table.write("insert", [{ id: 1 }, null as unknown as StorageRecord]),
      storageError("INVALID", "'records[1]' must be of type object"),
    );
    await assert.rejects(table.put({ id: "x".repeat(1979) }), storageError("INVALID", "Primary key size is too large: 1979"));
    await assert.rejects(table.put({ id: Number.NaN }), storageError("INVALID"));
    assert.deepEqual(ids(table.scan()), [0], "nothing of the failed batches was written");
    await table.put({ id: "x".repeat(1978) });
    assert.equal(table.count(), 2);
  }),
);

test(
  "a write that fails inside its transaction is rolled back whole",
  withTable(async (table) => {
    // msgpack cannot encode a BigInt beyond 64 bits: the second record fails inside the transaction.
    await assert.rejects(
      table.write("upsert", [{ id: 1 }, { id: 2, huge: 2n ** 70n }]),
      (error: unknown) => isStorageError(error) && error.code === "INTERNAL",
    );
    assert.equal(table.get(1), undefined);
    assert.equal(table.count(), 0);
    await table.put({ id: 3 });
    assert.deepEqual(ids(table.scan()), [3], "the table stays writable");
  }),
);

test(
  "delete removes the records and reports the keys that existed",
  withTable(async (table) => {
    await table.write("insert", [1, 2, 3].map((id) => ({ id })));
    assert.deepEqual(await table.deleteRecords([2, 9, "1", 2]), [2]);
    assert.deepEqual(ids(table.scan()), [1, 3]);
    await assert.rejects(
      table.deleteRecords([1, false as unknown as number]),
      storageError("INVALID", "Invalid primary key type: boolean"),
    );
    assert.equal(table.count(), 2, "a bad key deletes nothing");
    assert.throws(() => table.get(null as unknown as number), storageError("INVALID", "Invalid primary key type: null"));
  }),
);

test(
  "scan walks primary keys in order with start, end, offset, limit and reverse",
  withTable(async (table) => {
    await table.write("insert", [5, "b", 1, 10, "a", 3, 2, 4].map((id) => ({ id })));
    assert.deepEqual(ids(table.scan()), [1, 2, 3, 4, 5, 10, "a", "b"], "numbers before strings");
    assert.deepEqual(ids(table.scan({ offset: 2, limit: 3 })), [3, 4, 5]);
    assert.deepEqual(ids(table.scan({ reverse: true, limit: 2 })), ["b", "a"]);
    assert.deepEqual(ids(table.scan({ start: 2, end: 5 })), [2, 3, 4]);
    assert.deepEqual(ids(table.scan({ start: 2, end: 5, reverse: true })), [4, 3, 2], "same range, descending");
    assert.deepEqual(ids(table.scan({ start: 4, reverse: true, offset: 1 })), ["a", 10, 5, 4]);
    assert.deepEqual(ids(table.scan({ end: 3, reverse: true })), [2, 1]);
    assert.deepEqual(ids(table.scan({ offset: 100 })), []);
    const page = table.scan({ limit: 2 });
    assert.deepEqual(ids(page), [1, 2]);
    assert.deepEqual(ids(page), [1, 2], "a scan can be iterated again");
    assert.throws(() => table.scan({ limit: -1 }), storageError("INVALID", "'limit' must be a non-negative integer"));
    assert.throws(() => table.scan({ offset: 1.5 }), storageError("INVALID", "'offset' must be a non-negative integer"));
  }),
);

test(
  "scan reads lazily: stopping early never reads the rest of the table",
  withTable(async (table) => {
    await table.write("insert", Array.from({ length: 1000 }, (_, id) => ({ id, payload: "x".repeat(2000) })));
    let seen = 0;
    for (const record of table.scan({ offset: 990 })) {
      seen++;
      assert.ok((record["id"] as number) >= 990);
    }
    assert.equal(seen, 10);
    assert.equal(table.get(999)!["payload"], "x".repeat(2000), "large (compressed) values round-trip");
    assert.equal(table.count(), 1000);
  }),
);
