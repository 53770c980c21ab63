import { test } from "node:test";
import assert from "node:assert/strict";
import { withTable, storageError } from "./storage-fixture.js";
import { openStorage } from "../src/storage/index.js";
import type { IndexRange, Table } from "../src/storage/index.js";



/** The index of `attribute` as [value, id] pairs. */
const entries = (table: Table, attribute: string, range: IndexRange = {}) =>
  Array.from(table.indexRange(attribute, range), ({ value, id }) => [value, id]);

test(
  "indexes follow inserts, updates, upserts and deletes, arrays per element and value type changes included",
  withTable(async (table) => {
    await table.write("insert", [
      { id: 1, v: "b" },
      { id: 2, v: ["a", "b", "a"] },
      { id: 3, v: 5 },
      { id: 4, v: null },
      { id: 5, v: { o: 1 } },
      { id: 6, v: true },
      { id: 7 },
      { id: 8, v: [[1, "x"], []] },
    ]);
    assert.deepEqual(entries(table, "v"), [[null, 4], [true, 6], [[1, "x"], 8], [5, 3], ["a", 2], ["b", 1], ["b", 2]]);
    await table.write("update", [{ id: 2, v: ["b", "c"] }, { id: 3, v: "5" }]);
    await table.write("upsert", [{ id: 1, v: false }, { id: 9, v: "a" }]);
    await table.deleteRecords([6, 8]);
    assert.deepEqual(entries(table, "v"), [[null, 4], [false, 1], ["5", 3], ["a", 9], ["b", 2], ["c", 2]]);
    await table.write("update", [{ id: 4, v: { now: "an object" } }]);
    assert.deepEqual(entries(table, "v", { end: "a" }), [[false, 1], ["5", 3]], "objects are not indexed");
    assert.equal(entries(table, "__updatedtime__").length, table.count(), "the timestamps are indexed");
    assert.equal(entries(table, "__createdtime__").length, table.count());
  }),
);

test(
  "index ranges take bounds in value order, exclusive unless flagged, ties by key, all reversed with reverse",
  withTable(async (table) => {
    await table.write("insert", [3, 1, 2, 5, 4].map((id) => ({ id, n: id % 2 === 0 ? "even" : id })));
    // n: 1 -> 1, 3 -> 3, 5 -> 5, 2 and 4 -> "even"
    assert.deepEqual(entries(table, "n"), [[1, 1], [3, 3], [5, 5], ["even", 2], ["even", 4]]);
    assert.deepEqual(entries(table, "n", { start: 1, end: 5 }), [[3, 3]]);
    assert.deepEqual(entries(table, "n", { start: 1, startInclusive: true, end: 5, endInclusive: true }), [[1, 1], [3, 3], [5, 5]]);
    assert.deepEqual(entries(table, "n", { start: 3, startInclusive: true, reverse: true }), [["even", 4], ["even", 2], [5, 5], [3, 3]]);
    assert.deepEqual(entries(table, "n", { start: "even", startInclusive: true, end: "even", endInclusive: true }), [["even", 2], ["even", 4]]);
    assert.deepEqual(entries(table, "n", { start: 5, end: 1 }), [], "start above end holds nothing");
    assert.equal(table.indexCount("n", { start: 1, startInclusive: true, end: 5, endInclusive: true }), 3);
    assert.equal(table.indexCount("n", {}), 5);
    assert.equal(table.indexCount("n", { start: 5, end: 1 }), 0);
    assert.equal(table.isIndexed("n"), true);
    assert.equal(table.isIndexed("nope"), false);
    assert.throws(() => table.indexCount("nope", {}), storageError("INVALID", "attribute 'nope' is not indexed"));
    assert.throws(
      () => [...table.indexRange("n", { start: { a: 1 } })],
      storageError("INVALID", 'Unable to serialize object as a key: {"a":1}'),
    );
    await table.write("insert", [{ id: 6, n: null }]);
    assert.deepEqual(entries(table, "n", { end: 1 }), [[null, 6]], "null is the lowest value and an open start takes it in");
    assert.deepEqual(entries(table, "n", { start: null }), [[1, 1], [3, 3], [5, 5], ["even", 2], ["even", 4]]);
  }),
);

test(
  "the primary key is its own index: key ranges walk the primary store",
  withTable(async (table) => {
    await table.write("insert", [1, 2, 3, 4, "a", "b"].map((id) => ({ id })));
    assert.equal(table.isIndexed("id"), true);
    assert.deepEqual(entries(table, "id", { start: 2, startInclusive: true, end: 4 }), [[2, 2], [3, 3]]);
    assert.deepEqual(entries(table, "id", { start: 4, reverse: true }), [["b", "b"], ["a", "a"]]);
    assert.equal(table.indexCount("id", { start: true, startInclusive: true }), 6);
    assert.deepEqual(Array.from(table.scanPrimary(true), (row) => row.id), ["b", "a", 4, 3, 2, 1]);
  }),
);

test(
  "long strings are indexed by their first 1000 bytes and told apart by their full values",
  withTable(async (table) => {
    const prefix = "p".repeat(1200);
    await table.write("insert", [
      { id: 1, s: `${prefix}a` },
      { id: 2, s: `${prefix}b` },
      { id: 3, s: ["short", `${prefix}c`] },
      { id: 4, s: "q" },
    ]);
    assert.deepEqual(entries(table, "s", { start: `${prefix}b`, startInclusive: true, end: `${prefix}b`, endInclusive: true }), [
      [`${prefix}b`, 2],
    ]);
    assert.deepEqual(entries(table, "s", { start: `${prefix}a` }).map(([, id]) => id), [2, 3, 4, 3], "…c, q, short");
    assert.deepEqual(entries(table, "s", { end: `${prefix}b` }).map(([, id]) => id), [1]);
    assert.deepEqual(entries(table, "s", { start: "p" }).map(([value]) => (value as string).length), [1201, 1201, 1201, 1, 5]);
    await table.write("update", [{ id: 2, s: "gone" }]);
    assert.deepEqual(entries(table, "s", { start: "p", end: "q" }).map(([, id]) => id), [1, 3]);
  }),
);

test(
  "addAttribute indexes the records already stored; an existing attribute is refused",
  withTable(async (table, storage) => {
    const schema = await storage.createTable("dev", { name: "s", primaryKey: "id", attributes: [{ name: "id" }] });
    await schema.write("insert", [{ id: 1, color: "red" }, { id: 2, color: ["blue", "red"] }, { id: 3 }]);
    assert.equal(schema.isIndexed("color"), false);
    await schema.addAttribute("color");
    assert.deepEqual(entries(schema, "color"), [["blue", 2], ["red", 1], ["red", 2]]);
    await schema.addAttribute("plain", { indexed: false });
    assert.deepEqual(schema.info.attributes.slice(1), [
      { name: "color", indexed: true },
      { name: "plain", indexed: false },
    ]);
    assert.equal(schema.isIndexed("plain"), false);
    await assert.rejects(schema.addAttribute("color"), storageError("INVALID", "attribute 'color' already exists in dev.s"));
    await assert.rejects(table.addAttribute("a/b"), storageError("INVALID", "Attribute names cannot include backticks or forward slashes"));
  }),
);

test(
  "dropAttribute removes the index and, on dynamic tables only, the property of every record",
  withTable(async (table, storage, path) => {
    await table.write("insert", [{ id: 1, gone: 1, kept: 1 }, { id: 2, gone: [2, 3] }, { id: 3 }]);
    await table.dropAttribute("gone");
    assert.equal(table.info.attributes.some((a) => a.name === "gone"), false);
    assert.equal(table.isIndexed("gone"), false);
    assert.equal(table.get(1)!["kept"], 1);
    assert.equal(Object.hasOwn(table.get(1)!, "gone"), false, "the property is deleted from the records");
    assert.equal(Object.hasOwn(table.get(2)!, "gone"), false);
    await table.dropAttribute("never-existed");
    await assert.rejects(table.dropAttribute("id"), storageError("INVALID", "You cannot drop a hash attribute"));
    await assert.rejects(
      table.dropAttribute("__createdtime__"),
      storageError("INVALID", "cannot drop internal timestamp attribute: __createdtime__"),
    );
    await assert.rejects(
      table.dropAttribute("__updatedtime__"),
      storageError("INVALID", "cannot drop internal timestamp attribute: __updatedtime__"),
    );
    await table.write("upsert", [{ id: 3, gone: "again" }]);
    assert.deepEqual(entries(table, "gone"), [["again", 3]], "a re-added attribute starts from a fresh index");

    const schema = await storage.createTable("dev", { name: "s", primaryKey: "id", attributes: [{ name: "id" }, { name: "x" }] });
    await schema.write("insert", [{ id: 1, x: "stays" }]);
    await schema.dropAttribute("x");
    assert.equal(schema.get(1)!["x"], "stays", "schema-defined tables keep the stored values");
    assert.equal(schema.isIndexed("x"), false);
    await storage.close();
    const reopened = openStorage({ path });
    try {
      const again = reopened.table("dev", "t")!;
      assert.deepEqual(entries(again, "gone"), [["again", 3]], "indexes and attributes survive a restart");
      assert.deepEqual(reopened.table("dev", "s")!.info.attributes.map((a) => a.name), ["id"]);
    } finally {
      await reopened.close();
    }
  }),
);

test(
  "dropping a table removes all its stores, and a table of the same name starts with empty indexes",
  withTable(async (table, storage) => {
    await table.write("insert", [{ id: 1, a: "x" }]);
    await table.addAttribute("unused");
    await storage.dropTable("dev", "t");
    const again = await storage.createTable("dev", { name: "t", primaryKey: "id" });
    await again.addAttribute("a");
    assert.deepEqual(entries(again, "a"), []);
    assert.deepEqual([...again.readLog()], []);
  }),
);

test(
  "search runs the query engine over the table's indexes",
  withTable(async (table) => {
    await table.write("insert", [
      { id: 1, name: "Alice", age: 30, tags: ["a", "b"] },
      { id: 2, name: "Bob", age: 25, tags: ["b"] },
      { id: 3, name: "Alicia", age: 35 },
      { id: 4, name: "dave", age: "40" },
    ]);
    const ids = (query: Parameters<Table["search"]>[0]) => Array.from(table.search(query), (record) => record["id"]);
    assert.deepEqual(ids({ where: { operator: "and", conditions: [{ attribute: "name", comparator: "starts_with", value: "Ali" }] } }), [1, 3]);
    assert.deepEqual(ids({ where: { operator: "and", conditions: [{ attribute: "age", comparator: "greater_than", value: 28 }] } }), [1, 3, 4]);
    assert.deepEqual(ids({ where: { operator: "and", conditions: [{ attribute: "tags", comparator: "equals", value: "b" }] } }), [1, 2]);
    assert.deepEqual(ids({ where: { operator: "and", conditions: [{ attribute: "id", comparator: "greater_than_equal", value: 3 }] } }), [3, 4]);
    assert.deepEqual(ids({ sort: [{ attribute: "age", descending: true }], limit: 2 }), [4, 3]);
    assert.deepEqual(ids({}), [1, 2, 3, 4]);
  }),
);
