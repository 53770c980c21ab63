import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isStorageError, openStorage, systemTables } from "../src/storage/index.js";

function withFolder(run: (path: string) => Promise<void>) {
  return async () => {
    const path = mkdtempSync(join(tmpdir(), "harper-storage-"));
    try {
      await run(path);
    } finally {
      rmSync(path, { recursive: true, force: true });
    }
  };
}

test(
  "a new storage has the system tables and the data database",
  withFolder(async (path) => {
    const storage = await openStorage({ path });
    assert.deepEqual(storage.databases().sort(), ["data", "system"]);
    for (const [name, primaryKey] of systemTables) assert.equal(storage.table("system", name)?.info.primaryKey, primaryKey);
    assert.ok(existsSync(join(path, "system.mdb")));
    await storage.close();
  }),
);

test(
  "tables and records survive closing and reopening the storage",
  withFolder(async (path) => {
    const first = await openStorage({ path });
    const dog = await first.createTable("dev", { name: "dog", primaryKey: "id" });
    await dog.putMany([
      { id: 1, name: "Penny" },
      { id: "b", name: "Kato" },
    ]);
    await first.close();
    const second = await openStorage({ path });
    const reopened = second.table("dev", "dog");
    assert.ok(reopened, "table found again");
    assert.equal(reopened.info.primaryKey, "id");
    assert.equal(reopened.get(1)?.["name"], "Penny");
    assert.equal(reopened.get("b")?.["name"], "Kato");
    assert.equal(reopened.get("1"), undefined, "keys are type-exact");
    assert.equal(typeof reopened.get(1)?.["__createdtime__"], "number");
    await second.close();
  }),
);

test(
  "insert skips existing keys and keeps the creation time on later writes",
  withFolder(async (path) => {
    const storage = await openStorage({ path });
    const t = await storage.createTable("dev", { name: "t", primaryKey: "id" });
    assert.deepEqual(await t.insert([{ id: 1 }, { id: 2 }]), { inserted: [1, 2], skipped: [] });
    assert.deepEqual(await t.insert([{ id: 2 }, { id: 3 }]), { inserted: [3], skipped: [2] });
    const created = t.get(1)!["__createdtime__"];
    await t.put({ id: 1, v: "x" });
    assert.equal(t.get(1)!["__createdtime__"], created);
    assert.ok((t.get(1)!["__updatedtime__"] as number) >= (created as number));
    assert.equal(t.count(), 3);
    await storage.close();
  }),
);

test(
  "putMany writes nothing when one record has no primary key",
  withFolder(async (path) => {
    const storage = await openStorage({ path });
    const t = await storage.createTable("dev", { name: "t", primaryKey: "id" });
    await assert.rejects(t.putMany([{ id: 1 }, { name: "no key" }]), (e: unknown) => isStorageError(e) && e.code === "INVALID");
    assert.equal(t.count(), 0);
    await storage.close();
  }),
);

test(
  "delete reports the keys that existed, and scan pages in key order",
  withFolder(async (path) => {
    const storage = await openStorage({ path });
    const t = await storage.createTable("dev", { name: "t", primaryKey: "id" });
    await t.putMany([5, 1, 4, 2, 3].map((id) => ({ id })));
    assert.deepEqual(await t.delete([4, 9]), [4]);
    assert.deepEqual([...t.scan({ offset: 1, limit: 2 })].map((r) => r["id"]), [2, 3]);
    assert.deepEqual([...t.scan({ reverse: true, limit: 1 })].map((r) => r["id"]), [5]);
    await storage.close();
  }),
);

test(
  "dropping a database removes its file; dropping a table forgets it",
  withFolder(async (path) => {
    const storage = await openStorage({ path });
    await storage.createTable("dev", { name: "a", primaryKey: "id" });
    await storage.createTable("dev", { name: "b", primaryKey: "id" });
    await storage.dropTable("dev", "a");
    assert.deepEqual(storage.tables("dev").map((t) => t.name), ["b"]);
    await storage.dropDatabase("dev");
    assert.equal(existsSync(join(path, "dev.mdb")), false);
    assert.equal(storage.hasDatabase("dev"), false);
    await assert.rejects(storage.dropDatabase("dev"), (e: unknown) => isStorageError(e) && e.code === "NOT_FOUND");
    await storage.close();
  }),
);

test(
  "bad names and duplicates are refused with Harper's messages before touching the disk",
  withFolder(async (path) => {
    const storage = await openStorage({ path });
    const refuses = (run: () => unknown, code: string, message: string) =>
      assert.throws(run, (e: unknown) => isStorageError(e) && e.code === code && e.message === message);
    refuses(() => storage.createDatabase("a/b"), "INVALID", "'database' names cannot include backticks or forward slashes");
    refuses(() => storage.createDatabase("caf\u00e9"), "INVALID", "'database' names cannot include backticks or forward slashes");
    refuses(() => storage.createDatabase(""), "INVALID", "'database' is not allowed to be empty");
    refuses(() => storage.createDatabase("data"), "ALREADY_EXISTS", "database 'data' already exists");
    await storage.createTable("dev", { name: "t", primaryKey: "id" });
    await assert.rejects(
      storage.createTable("dev", { name: "t", primaryKey: "id" }),
      (e: unknown) => isStorageError(e) && e.message === "Table 't' already exists in 'dev'",
    );
    assert.equal(existsSync(join(path, "a")), false);
    await storage.close();
  }),
);
