import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isStorageError, openStorage, systemTables } from "../src/storage/index.js";
import type { Storage } from "../src/storage/index.js";

/** Runs `body` on a fresh storage folder and removes the folder afterwards. */
function inFolder(body: (path: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const path = join(mkdtempSync(join(tmpdir(), "harper-storage-")), "database");
    try {
      await body(path);
    } finally {
      rmSync(join(path, ".."), { recursive: true, force: true });
    }
  };
}

/** An assert.rejects / assert.throws matcher for a StorageError with this code (and message). */
function storageError(code: string, message?: string) {
  return (error: unknown) =>
    isStorageError(error) && error.code === code && (message === undefined || error.message === message);
}

async function closing(storage: Storage, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } finally {
    await storage.close();
  }
}

test(
  "a fresh storage has the system database with Harper's tables and primary keys, and an empty data database",
  inFolder(async (path) => {
    const storage = openStorage({ path });
    await closing(storage, async () => {
      assert.deepEqual(storage.databases(), ["system", "data"]);
      const expected: Record<string, string> = {
        hdb_user: "username",
        hdb_role: "id",
        hdb_job: "id",
        hdb_nodes: "name",
        hdb_certificate: "name",
        hdb_info: "info_id",
        hdb_analytics: "id",
        hdb_status: "id",
      };
      for (const [name, primaryKey] of Object.entries(expected)) {
        const table = storage.table("system", name);
        assert.ok(table, `system.${name} exists`);
        assert.equal(table.info.primaryKey, primaryKey);
        assert.equal(table.info.attributes[0]?.name, primaryKey, "primary key listed first");
        assert.equal(table.info.audit, true);
        assert.equal(table.count(), 0);
      }
      assert.equal(systemTables.length, Object.keys(expected).length);
      assert.deepEqual(storage.tables("data"), []);
      assert.deepEqual(readdirSync(path).filter((f) => f.endsWith(".mdb")).sort(), ["data.mdb", "system.mdb"]);
    });
  }),
);

test(
  "databases, tables, their catalog entries and records survive closing and reopening the storage",
  inFolder(async (path) => {
    const first = openStorage({ path, auditLog: false });
    const dog = await first.createTable("dev", { name: "dog", primaryKey: "id" });
    const breed = await first.createTable("dev", {
      name: "breed",
      primaryKey: "name",
      attributes: [{ name: "name" }, { name: "size", indexed: false }, { name: "origin" }],
      audit: true,
    });
    await first.createDatabase("empty");
    await dog.write("insert", [
      { id: 1, name: "Penny", owner: { name: "Kyle" } },
      { id: "b", name: "Kato" },
    ]);
    await first.table("system", "hdb_user")!.put({ username: "admin", role: "super_user" });
    const dogInfo = dog.info;
    const breedInfo = breed.info;
    await first.close();

    const second = openStorage({ path });
    await closing(second, async () => {
      assert.deepEqual(second.databases(), ["system", "data", "dev", "empty"]);
      assert.deepEqual(second.tables("dev"), [dogInfo, breedInfo]);
      assert.deepEqual(dogInfo.attributes, [
        { name: "id", indexed: false, isPrimaryKey: true },
        { name: "__createdtime__", indexed: true },
        { name: "__updatedtime__", indexed: true },
        { name: "name", indexed: true },
        { name: "owner", indexed: true },
      ]);
      assert.equal(dogInfo.audit, false, "the storage's auditLog option is the default");
      assert.equal(dogInfo.schemaDefined, false);
      assert.deepEqual(breedInfo.attributes, [
        { name: "name", indexed: false, isPrimaryKey: true },
        { name: "size", indexed: false },
        { name: "origin", indexed: true },
      ]);
      assert.equal(breedInfo.audit, true);
      assert.equal(breedInfo.schemaDefined, true);
      const reopened = second.table("dev", "dog")!;
      assert.deepEqual(
        [...reopened.scan()].map(({ id, name, owner }) => ({ id, name, owner })),
        [
          { id: 1, name: "Penny", owner: { name: "Kyle" } },
          { id: "b", name: "Kato", owner: undefined },
        ],
      );
      assert.equal(second.table("system", "hdb_user")!.get("admin")?.["role"], "super_user");
      assert.deepEqual(second.tables("empty"), []);
    });
  }),
);

test(
  "a dropped data database is not recreated when the storage is reopened",
  inFolder(async (path) => {
    const first = openStorage({ path });
    await first.dropDatabase("data");
    await first.close();
    const second = openStorage({ path });
    await closing(second, async () => assert.deepEqual(second.databases(), ["system"]));
  }),
);

test(
  "dropping a database closes it and deletes its file",
  inFolder(async (path) => {
    const storage = openStorage({ path });
    await closing(storage, async () => {
      const table = await storage.createTable("dev", { name: "t", primaryKey: "id" });
      await table.put({ id: 1 });
      assert.ok(existsSync(join(path, "dev.mdb")));
      await storage.dropDatabase("dev");
      assert.equal(existsSync(join(path, "dev.mdb")), false);
      assert.equal(existsSync(join(path, "dev.mdb-lock")), false);
      assert.equal(storage.hasDatabase("dev"), false);
      assert.equal(storage.table("dev", "t"), undefined);
      assert.throws(() => table.get(1), storageError("NOT_FOUND", "Table 'dev.t' does not exist"));
      await assert.rejects(table.put({ id: 2 }), storageError("NOT_FOUND"));
      await assert.rejects(storage.dropDatabase("dev"), storageError("NOT_FOUND", "database 'dev' does not exist"));
      // The name is free again, and the new database starts empty.
      await storage.createDatabase("dev");
      assert.deepEqual(storage.tables("dev"), []);
    });
  }),
);

test(
  "dropping a table forgets it and its records; a table of the same name starts empty",
  inFolder(async (path) => {
    const storage = openStorage({ path });
    await closing(storage, async () => {
      const a = await storage.createTable("dev", { name: "a", primaryKey: "id" });
      await storage.createTable("dev", { name: "b", primaryKey: "id" });
      await a.write("insert", [{ id: 1 }, { id: 2 }]);
      await storage.dropTable("dev", "a");
      assert.deepEqual(storage.tables("dev").map((t) => t.name), ["b"]);
      assert.equal(storage.table("dev", "a"), undefined);
      assert.throws(() => [...a.scan()], storageError("NOT_FOUND", "Table 'dev.a' does not exist"));
      await assert.rejects(storage.dropTable("dev", "a"), storageError("NOT_FOUND", "Table 'dev.a' does not exist"));
      await assert.rejects(storage.dropTable("nope", "a"), storageError("NOT_FOUND", "database 'nope' does not exist"));
      const again = await storage.createTable("dev", { name: "a", primaryKey: "key" });
      assert.equal(again.count(), 0);
      assert.equal(again.info.primaryKey, "key");
    });
  }),
);

test(
  "creating what exists is refused with Harper's messages",
  inFolder(async (path) => {
    const storage = openStorage({ path });
    await closing(storage, async () => {
      await assert.rejects(storage.createDatabase("data"), storageError("ALREADY_EXISTS", "database 'data' already exists"));
      await assert.rejects(storage.createDatabase("system"), storageError("ALREADY_EXISTS"));
      await storage.createTable("dev", { name: "t", primaryKey: "id" });
      await assert.rejects(
        storage.createTable("dev", { name: "t", primaryKey: "other" }),
        storageError("ALREADY_EXISTS", "Table 't' already exists in 'dev'"),
      );
      // Two creations racing for one name: exactly one wins.
      const results = await Promise.allSettled([
        storage.createTable("dev", { name: "race", primaryKey: "id" }),
        storage.createTable("dev", { name: "race", primaryKey: "id" }),
      ]);
      assert.deepEqual(results.map((r) => r.status).sort(), ["fulfilled", "rejected"]);
      assert.throws(() => storage.tables("nope"), storageError("NOT_FOUND", "database 'nope' does not exist"));
    });
  }),
);

test(
  "bad database, table and primary key names are refused before anything reaches the disk",
  inFolder(async (path) => {
    const storage = openStorage({ path });
    await closing(storage, async () => {
      const slash = "'database' names cannot include backticks or forward slashes";
      for (const name of ["a/b", "a`b", "caf\u00e9", "tab\there", "../escape"]) {
        await assert.rejects(storage.createDatabase(name), storageError("INVALID", slash), name);
      }
      await assert.rejects(storage.createDatabase(""), storageError("INVALID", "'database' is not allowed to be empty"));
      await assert.rejects(
        storage.createDatabase("x".repeat(251)),
        storageError("INVALID", "'database' length must be less than or equal to 250 characters long"),
      );
      await assert.rejects(storage.createDatabase(5 as unknown as string), storageError("INVALID", "'database' must be a string"));
      await assert.rejects(
        storage.createTable("dev", { name: "x/y", primaryKey: "id" }),
        storageError("INVALID", "'table' names cannot include backticks or forward slashes"),
      );
      await assert.rejects(
        storage.createTable("dev", { name: "t", primaryKey: "i`d" }),
        storageError("INVALID", "'primary_key' names cannot include backticks or forward slashes"),
      );
      await assert.rejects(
        storage.createTable("dev", { name: "t", primaryKey: "id", attributes: [{ name: "a/b" }] }),
        storageError("INVALID", "Attribute names cannot include backticks or forward slashes"),
      );
      await assert.rejects(
        storage.createTable("dev", { name: "t", primaryKey: "id", attributes: [{ name: "other" }] }),
        storageError("INVALID", "primary key 'id' is not one of the table's attributes"),
      );
      await assert.rejects(storage.dropDatabase("../data"), storageError("INVALID", slash));
      // Spaces, dots, dashes and leading digits are fine (spec §0.2), and names are case-sensitive.
      await storage.createDatabase("a-b.c d");
      await storage.createDatabase("1num");
      await storage.createTable("Dog", { name: "x", primaryKey: "id" });
      await storage.createTable("dog", { name: "x", primaryKey: "id" });
      assert.equal(storage.hasDatabase("dev"), false, "the failed createTable calls created no database");
      assert.deepEqual(
        readdirSync(path).sort(),
        ["1num.mdb", "1num.mdb-lock", "Dog.mdb", "Dog.mdb-lock", "a-b.c d.mdb", "a-b.c d.mdb-lock", "data.mdb", "data.mdb-lock", "dog.mdb", "dog.mdb-lock", "system.mdb", "system.mdb-lock"],
      );
    });
  }),
);

test(
  "the system database and its tables cannot be dropped, nor tables added to it",
  inFolder(async (path) => {
    const storage = openStorage({ path });
    await closing(storage, async () => {
      const forbidden = storageError(
        "FORBIDDEN",
        "The 'system' database, tables and records are used internally by HarperDB and cannot be updated or removed.",
      );
      await assert.rejects(storage.dropDatabase("system"), forbidden);
      await assert.rejects(storage.dropTable("system", "hdb_user"), forbidden);
      await assert.rejects(storage.createTable("system", { name: "mine", primaryKey: "id" }), forbidden);
      assert.ok(storage.table("system", "hdb_user"));
    });
  }),
);

test(
  "a closed storage refuses further calls",
  inFolder(async (path) => {
    const storage = openStorage({ path });
    const table = storage.table("system", "hdb_role")!;
    await storage.close();
    await storage.close();
    assert.throws(() => storage.databases(), storageError("CLOSED"));
    await assert.rejects(storage.createDatabase("dev"), storageError("CLOSED"));
    assert.throws(() => table.get("super_user"), storageError("CLOSED"));
  }),
);
