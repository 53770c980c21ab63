import { test } from "node:test";
import assert from "node:assert/strict";
import { withStorage, storageError } from "./storage-fixture.js";
import { isStorageError } from "../src/storage/index.js";
import type { AttributeDefinition } from "../src/storage/index.js";



const typed: AttributeDefinition[] = [
  { name: "id", type: "Int", isPrimaryKey: true },
  { name: "name", type: "String" },
  { name: "long", type: "Long" },
  { name: "age", type: "Float" },
  { name: "ok", type: "Boolean" },
  { name: "born", type: "Date" },
  { name: "big", type: "BigInt" },
  { name: "raw", type: "Bytes" },
  { name: "ref", type: "ID" },
  { name: "tags", type: "array", elements: { type: "String" } },
  { name: "owner", type: "Owner" },
  { name: "must", type: "String", nullable: false },
  { name: "any", type: "Any" },
];

test(
  "createTable keeps Harper's attribute definitions, the expiration and the audit flag",
  withStorage(async (storage) => {
    const table = await storage.createTable("dev", {
      name: "typed",
      primaryKey: "ignored-when-an-entry-is-marked",
      attributes: typed,
      audit: false,
      expiration: "60",
    });
    assert.equal(table.info.primaryKey, "id");
    assert.deepEqual(table.info.attributes[0], { name: "id", type: "Int", indexed: false, isPrimaryKey: true });
    assert.deepEqual(
      table.info.attributes.find((a) => a.name === "tags"),
      { name: "tags", type: "array", elements: { type: "String" }, indexed: true },
    );
    assert.deepEqual(table.info.attributes.find((a) => a.name === "must"), { name: "must", type: "String", nullable: false, indexed: true });
    assert.equal(table.info.expiration, 60);
    assert.equal(table.info.audit, false);
    assert.equal(table.info.schemaDefined, true);
    await assert.rejects(
      storage.createTable("dev", { name: "bad", primaryKey: "id", expiration: -1 }),
      storageError("INVALID", "'expiration' must be a positive number of seconds"),
    );
  }),
);

test(
  "schema-defined tables check declared types with Harper's messages, joined with '. ', and write nothing",
  withStorage(async (storage) => {
    const table = await storage.createTable("dev", { name: "typed", primaryKey: "id", attributes: typed });
    await assert.rejects(
      table.write("insert", [
        { id: "3", name: 5, must: "m" },
        { id: 2 ** 31, long: 2 ** 54, age: "7", ok: "yes", must: "m" },
        { id: 4, born: "not a date", big: 1.5, raw: 5, ref: 5, tags: ["a", 1], owner: [1], must: null },
        { id: 5, tags: "a", must: "m" },
      ]),
      storageError(
        "INVALID",
        [
          'Value "3" in property id must be an integer (from -2147483648 to 2147483647)',
          "Value 5 in property name must be a string",
          "Value 2147483648 in property id must be an integer (from -2147483648 to 2147483647)",
          "Value 18014398509481984 in property long must be an integer (from -9007199254740992 to 9007199254740992)",
          'Value "7" in property age must be a number',
          'Value "yes" in property ok must be a boolean',
          'Value "not a date" in property born must be a Date',
          "Value 1.5 in property big must be a bigint",
          "Value 5 in property raw must be a Buffer",
          "Value 5 in property ref must be a string, or an array of strings",
          "Value 1 in property tags[1] must be a string",
          "Value [1] in property owner must be an object",
          "Property must is required (and not does not allow null values)",
          'Value "a" in property tags must be an Array',
        ].join(". "),
      ),
    );
    assert.equal(table.count(), 0);
    await assert.rejects(
      table.write("insert", [{ id: 1, name: "no must" }]),
      storageError("INVALID", "Property must is required (and not does not allow null values)"),
    );
    await assert.rejects(
      table.write("upsert", [{ id: 1, name: "no must" }]),
      storageError("INVALID", "Property must is required (and not does not allow null values)"),
      "a record created by upsert is checked inside the transaction",
    );
    assert.equal(table.count(), 0);
  }),
);

test(
  "Date, BigInt and Bytes accept strings and numbers and are converted; undeclared properties are stored but not added",
  withStorage(async (storage) => {
    const table = await storage.createTable("dev", { name: "typed", primaryKey: "id", attributes: typed });
    await table.write("insert", [
      { id: 1, born: "2020-01-01T00:00:00.000Z", big: "12345678901234567", raw: "hi", ref: ["a", "b"], owner: { n: 1 }, must: "m", extra: 1 },
      { id: 2, born: 0, big: 7, raw: Buffer.from([1, 2]), ref: "x", name: null, must: "m" },
    ]);
    const one = table.get(1)!;
    assert.deepEqual(one["born"], new Date("2020-01-01T00:00:00.000Z"));
    assert.equal(one["big"], 12345678901234567n);
    assert.deepEqual(Buffer.from(one["raw"] as Uint8Array), Buffer.from("hi"));
    assert.equal(one["extra"], 1, "undeclared properties are stored");
    assert.equal(table.info.attributes.some((a) => a.name === "extra"), false, "but never become attributes");
    assert.deepEqual(table.get(2)!["born"], new Date(0));
    assert.equal(table.get(2)!["name"], null, "null is accepted where nullable is not false");
    await table.write("update", [{ id: 1, name: "Penny" }]);
    assert.equal(table.get(1)!["must"], "m", "update does not need the required property again");
    assert.deepEqual(
      [...table.indexRange("born", {})].map((entry) => entry.value),
      [0, Date.parse("2020-01-01T00:00:00.000Z")],
      "Dates are indexed as epoch milliseconds",
    );
  }),
);

test(
  "a type error on the second record, or a failure inside the transaction, writes nothing at all",
  withStorage(async (storage) => {
    const table = await storage.createTable("dev", {
      name: "emp",
      primaryKey: "id",
      attributes: [{ name: "id" }, { name: "name", type: "String" }],
    });
    await assert.rejects(
      table.write("insert", [{ id: 30, name: "ok" }, { id: 31, name: 5 }]),
      storageError("INVALID", "Value 5 in property name must be a string"),
    );
    assert.equal(table.get(30), undefined);
    assert.deepEqual([...table.indexRange("name", {})], []);
    assert.deepEqual([...table.readLog()], []);

    const dynamic = await storage.createTable("dev", { name: "dyn", primaryKey: "id" });
    await dynamic.write("insert", [{ id: 1, a: "kept" }]);
    const attributes = dynamic.info.attributes;
    // msgpack cannot encode a BigInt beyond 64 bits: the second record fails inside the transaction.
    await assert.rejects(
      dynamic.write("upsert", [{ id: 1, a: "changed", fresh: 1 }, { id: 2, huge: 2n ** 70n }]),
      (error: unknown) => isStorageError(error) && error.code === "INTERNAL",
    );
    assert.deepEqual(dynamic.info.attributes, attributes, "the new attributes were rolled back too");
    assert.equal(dynamic.get(1)!["a"], "kept");
    assert.deepEqual([...dynamic.indexRange("a", {})], [{ value: "kept", id: 1 }]);
    assert.equal([...dynamic.readLog()].length, 1, "only the first write was logged");
    await dynamic.write("upsert", [{ id: 2, fresh: 2 }]);
    assert.deepEqual([...dynamic.indexRange("fresh", {})], [{ value: 2, id: 2 }], "the attribute can be added afterwards");
  }),
);
