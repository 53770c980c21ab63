import { test } from "node:test";
import assert from "node:assert/strict";
import { withTable, storageError } from "./storage-fixture.js";
import { openStorage } from "../src/storage/index.js";
import type { StorageRecord, Table } from "../src/storage/index.js";



const names = (table: Table) => table.info.attributes.map((attribute) => attribute.name);
const without = ({ __createdtime__: _c, __updatedtime__: _u, ...rest }: StorageRecord) => rest;

test(
  "update merges top-level attributes into existing records and skips absent keys",
  withTable(async (table) => {
    await table.write("insert", [{ id: 1, a: 1, nested: { x: 1, y: 2 }, keep: "k" }]);
    const created = table.get(1)!["__createdtime__"];
    const result = await table.write("update", [{ id: 1, nested: { x: 9 }, a: null }, { id: 2, a: 1 }]);
    assert.deepEqual(result, { written: [{ id: 1, generated: false }], skipped: [2] });
    const one = table.get(1)!;
    assert.deepEqual(without(one), { id: 1, a: null, nested: { x: 9 }, keep: "k" }, "shallow merge; null is stored");
    assert.equal(one["__createdtime__"], created, "__createdtime__ kept");
    assert.ok((one["__updatedtime__"] as number) > (created as number));
    assert.equal(table.get(2), undefined, "update never creates");
  }),
);

test(
  "upsert merges existing records and creates absent ones; a key repeated in one call is skipped",
  withTable(async (table) => {
    await table.write("insert", [{ id: 1, a: 1, b: 1 }]);
    const result = await table.write("upsert", [{ id: 1, b: 2 }, { id: 3, a: 3 }, { id: 3, a: 4 }]);
    assert.deepEqual(result, {
      written: [
        { id: 1, generated: false },
        { id: 3, generated: false },
      ],
      skipped: [3],
    });
    assert.deepEqual(without(table.get(1)!), { id: 1, a: 1, b: 2 });
    assert.deepEqual(without(table.get(3)!), { id: 3, a: 3 }, "the first occurrence wins");
    const again = await table.write("update", [{ id: 1, a: 5 }, { id: 1, a: 6 }]);
    assert.deepEqual(again.skipped, [1]);
    assert.equal(table.get(1)!["a"], 5);
  }),
);

test(
  "missing or null keys are generated: a counter from a random start on untyped keys, persisted across reopening",
  withTable(async (table, storage, path) => {
    const first = await table.write("insert", [{ a: 1 }, { id: null, a: 2 }, { id: undefined, a: 3 }]);
    assert.ok(first.written.every((entry) => entry.generated));
    const ids = first.written.map((entry) => entry.id as number);
    assert.ok(Number.isInteger(ids[0]) && ids[0]! >= 0 && ids[0]! < 2 ** 49, `first id ${ids[0]} in 0..2^49`);
    assert.deepEqual(ids, [ids[0], ids[0]! + 1, ids[0]! + 2], "then +1 per record");
    assert.equal(table.get(ids[1]!)!["id"], ids[1], "the key is stored in the record");
    const upserted = await table.write("upsert", [{ a: 4 }]);
    assert.deepEqual(upserted.written, [{ id: ids[0]! + 3, generated: true }]);
    await table.write("insert", [{ id: ids[0]! + 4 }]);
    const skipping = await table.write("insert", [{ a: 5 }]);
    assert.equal(skipping.written[0]!.id, ids[0]! + 5, "keys in use are skipped over");
    await storage.close();
    const reopened = openStorage({ path });
    try {
      const again = await reopened.table("dev", "t")!.write("insert", [{ a: 6 }]);
      assert.equal(again.written[0]!.id, ids[0]! + 6, "the counter survives a restart");
    } finally {
      await reopened.close();
    }
  }),
);

test(
  "keys declared String or ID are generated as UUID v4, Int keys below 2^31",
  withTable(async (_table, storage) => {
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    for (const type of ["String", "ID"]) {
      const table = await storage.createTable("dev", { name: `s${type}`, primaryKey: "k", attributes: [{ name: "k", type }] });
      const { written } = await table.write("upsert", [{ v: 1 }, { v: 2 }]);
      for (const { id, generated } of written) {
        assert.ok(generated);
        assert.match(String(id), uuid);
      }
      assert.notEqual(written[0]!.id, written[1]!.id);
    }
    const ints = await storage.createTable("dev", { name: "i", primaryKey: "k", attributes: [{ name: "k", type: "Int" }] });
    const { written } = await ints.write("insert", [{}]);
    assert.ok((written[0]!.id as number) < 2 ** 31);
  }),
);

test(
  "the key strings 'null' and 'undefined' and keys of a wrong type are refused with Harper's messages",
  withTable(async (table) => {
    for (const kind of ["insert", "update", "upsert"] as const) {
      await assert.rejects(
        table.write(kind, [{ id: "null" }]),
        storageError("INVALID", "Invalid hash value: 'null' is not a valid hash attribute value, check log for more info"),
      );
      await assert.rejects(
        table.write(kind, [{ id: "undefined" }]),
        storageError("INVALID", "Invalid hash value: 'undefined' is not a valid hash attribute value, check log for more info"),
      );
      await assert.rejects(table.write(kind, [{ id: false }]), storageError("INVALID", "Invalid primary key type: boolean"));
    }
    for (const id of [undefined, null, ""]) {
      await assert.rejects(
        table.write("update", [{ id }]),
        storageError("INVALID", "a valid hash attribute must be provided with update record, check log for more info"),
      );
    }
    await table.write("insert", [{ id: "" }]);
    assert.deepEqual(without(table.get("")!), { id: "" }, "the empty string is a real key on insert");
    await assert.rejects(table.write("delete" as "insert", []), storageError("INVALID"));
  }),
);

test(
  "dynamic tables add each new top-level key as an indexed attribute, in first-seen order, skipped records included",
  withTable(async (table) => {
    await table.write("insert", [{ id: 1, b: 1 }]);
    const result = await table.write("insert", [{ id: 1, z: 1, b: 2 }, { id: 2, a: 1, " ": 0, "Ünï.x": 1 }, { id: 2, y: 1 }]);
    assert.deepEqual(result.skipped, [1, 2]);
    assert.deepEqual(names(table), ["id", "__createdtime__", "__updatedtime__", "b", "z", "a", " ", "Ünï.x", "y"]);
    assert.ok(table.info.attributes.slice(1).every((attribute) => attribute.indexed));
    assert.deepEqual([...table.indexRange("a", {})], [{ value: 1, id: 2 }]);
    assert.deepEqual([...table.indexRange("z", {})], [], "skipped records are not indexed");
  }),
);

test(
  "bad record keys and attribute names are refused with Harper's messages before anything is written",
  withTable(async (table) => {
    const before = names(table);
    await assert.rejects(table.write("insert", [{ id: 1, "": 1 }]), storageError("INVALID", "Invalid attribute name: ''"));
    await assert.rejects(
      table.write("insert", [{ id: 1, undefined: 1 }, { id: 2, null: 1, undefined: 2 }]),
      storageError("INVALID", "Invalid attribute name: 'undefined'. Invalid attribute name: 'null'"),
    );
    await assert.rejects(
      table.write("upsert", [{ id: 1, ok: 1 }, { id: 2, "a/b": 1 }]),
      storageError("INVALID", "Attribute names cannot include backticks or forward slashes"),
    );
    await assert.rejects(table.write("upsert", [{ id: 1, "a`b": 1 }]), storageError("INVALID", "Attribute names cannot include backticks or forward slashes"));
    const long = "é".repeat(126); // 252 bytes
    await assert.rejects(
      table.write("insert", [{ id: 1, [long]: 1 }]),
      storageError(
        "INVALID",
        `transaction aborted due to attribute name ${long} being too long. Attribute names cannot be longer than 250 bytes.`,
      ),
    );
    assert.deepEqual(names(table), before, "no attribute was added");
    assert.equal(table.count(), 0, "no record was written");
    await table.write("insert", [{ id: 1, ["é".repeat(125)]: 1 }]);
    assert.equal(table.count(), 1, "250 bytes are fine");
  }),
);

test(
  "client-supplied timestamps are ignored and every record of one call gets the same timestamp",
  withTable(async (table, storage) => {
    await table.write("insert", [{ id: 1, __createdtime__: 5, __updatedtime__: 6 }, { id: 2 }]);
    const [one, two] = table.getMany([1, 2]) as StorageRecord[];
    assert.ok((one!["__createdtime__"] as number) > 1_600_000_000_000);
    assert.equal(one!["__createdtime__"], two!["__updatedtime__"]);
    assert.notEqual(Math.trunc(one!["__createdtime__"] as number), one!["__createdtime__"], "fractional milliseconds");
    const plain = await storage.createTable("dev", { name: "plain", primaryKey: "id", attributes: [{ name: "id" }] });
    await plain.write("insert", [{ id: 1, __createdtime__: 5, v: 1 }]);
    assert.deepEqual(plain.get(1), { id: 1, v: 1 }, "tables without timestamp attributes are not stamped");
  }),
);

test(
  "concurrent writes that bring the same new key add the attribute once and index both records",
  withTable(async (table) => {
    const results = await Promise.all([
      table.write("insert", [{ id: 1, shared: "a" }]),
      table.write("insert", [{ id: 2, shared: "b", own: 1 }]),
      table.dropAttribute("shared"),
      table.write("insert", [{ id: 3, shared: "c" }]),
    ]);
    assert.equal(results.length, 4);
    assert.deepEqual(names(table), ["id", "__createdtime__", "__updatedtime__", "own", "shared"]);
    assert.deepEqual(Array.from(table.indexRange("shared", {}), (entry) => entry.id), [3], "dropped in between, added again");
    assert.equal(Object.hasOwn(table.get(1)!, "shared"), false);
    // The attribute exists when this write is checked but not when it runs: it is added again.
    await Promise.all([table.dropAttribute("shared"), table.write("upsert", [{ id: 4, shared: "d" }])]);
    assert.deepEqual(Array.from(table.indexRange("shared", {}), (entry) => entry.id), [4]);
    assert.ok(names(table).includes("shared"));
  }),
);
