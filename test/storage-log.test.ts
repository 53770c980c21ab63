import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isStorageError, openStorage } from "../src/storage/index.js";
import type { LogEntry, Storage, Table } from "../src/storage/index.js";

/** Runs `body` with a fresh storage folder and an audited dynamic table `dev.t` keyed by `id`. */
function withTable(body: (table: Table, storage: Storage, path: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const folder = mkdtempSync(join(tmpdir(), "harper-log-"));
    const path = join(folder, "database");
    const storage = openStorage({ path });
    try {
      await body(await storage.createTable("dev", { name: "t", primaryKey: "id", audit: true }), storage, path);
    } finally {
      await storage.close();
      rmSync(folder, { recursive: true, force: true });
    }
  };
}

/** An entry without its timestamps, for comparison. */
function shape(entry: LogEntry) {
  const strip = (record: Record<string, unknown> | null) => {
    if (record === null) return null;
    const { __createdtime__: _c, __updatedtime__: _u, ...rest } = record;
    return rest;
  };
  return {
    operation: entry.operation,
    user: entry.user,
    hash_values: entry.hash_values,
    records: entry.records?.map(strip),
    original_records: entry.original_records?.map(strip),
  };
}

test(
  "every committed write of an audited table appends one entry with after- and before-images",
  withTable(async (table) => {
    await table.write("insert", [{ id: 1, a: 1 }, { id: 2, a: 2 }], { user: "admin" });
    await table.write("insert", [{ id: 1, a: 9 }], { user: "admin" }); // all skipped: nothing committed
    await table.write("update", [{ id: 1, a: 3 }, { id: 7, a: 7 }], { user: "bob" });
    await table.write("upsert", [{ id: 2, b: 1 }, { id: 3, a: 3 }]);
    await table.deleteRecords([3, 99], { user: "admin" });
    const log = [...table.readLog()];
    assert.deepEqual(log.map(shape), [
      { operation: "insert", user: "admin", hash_values: [1, 2], records: [{ id: 1, a: 1 }, { id: 2, a: 2 }], original_records: undefined },
      { operation: "update", user: "bob", hash_values: [1], records: [{ id: 1, a: 3 }], original_records: [{ id: 1, a: 1 }] },
      {
        operation: "upsert",
        user: undefined,
        hash_values: [2, 3],
        records: [{ id: 2, a: 2, b: 1 }, { id: 3, a: 3 }],
        original_records: [{ id: 2, a: 2 }, null],
      },
      { operation: "delete", user: "admin", hash_values: [3], records: undefined, original_records: [{ id: 3, a: 3 }] },
    ]);
    const stamps = log.map((entry) => entry.timestamp);
    assert.deepEqual([...stamps].sort((a, b) => a - b), stamps, "keyed and ordered by timestamp");
    assert.equal(log[1]!.records![0]!["__updatedtime__"], log[1]!.timestamp, "the key is the write's timestamp");
  }),
);

test(
  "readLog filters by time range, key and user, pages with limit and reads newest first with reverse",
  withTable(async (table) => {
    for (const id of [1, 2, 3, 4]) await table.write("insert", [{ id }], { user: id % 2 ? "odd" : "even" });
    await table.write("update", [{ id: 2, x: 1 }, { id: 3, x: 1 }], { user: "odd" });
    const all = [...table.readLog()];
    const times = all.map((entry) => entry.timestamp);
    const ids = (entries: Iterable<LogEntry>) => Array.from(entries, (entry) => entry.hash_values);
    assert.deepEqual(ids(table.readLog({ from: times[1], to: times[3] })), [[2], [3], [4]], "both ends inclusive");
    assert.deepEqual(ids(table.readLog({ ids: [2] })), [[2], [2, 3]]);
    assert.deepEqual(ids(table.readLog({ ids: ["2"] })), [], "keys are type-exact");
    assert.deepEqual(ids(table.readLog({ user: "odd" })), [[1], [3], [2, 3]]);
    assert.deepEqual(ids(table.readLog({ reverse: true, limit: 2 })), [[2, 3], [4]]);
    assert.deepEqual(ids(table.readLog({ reverse: true, from: times[3] })), [[2, 3], [4]]);
    assert.deepEqual(ids(table.readLog({ user: "odd", limit: 1, from: times[1] })), [[3]]);
    assert.throws(() => table.readLog({ limit: -1 }), (error: unknown) => isStorageError(error) && error.code === "INVALID");
  }),
);

test(
  "purgeLog removes the entries older than a time and keeps the rest",
  withTable(async (table) => {
    for (const id of [1, 2, 3]) await table.write("insert", [{ id }]);
    const times = Array.from(table.readLog(), (entry) => entry.timestamp);
    assert.equal(await table.purgeLog(times[2]!), 2);
    assert.deepEqual(Array.from(table.readLog(), (entry) => entry.timestamp), [times[2]]);
    assert.equal(await table.purgeLog(0), 0);
    assert.equal(table.count(), 3, "records are untouched");
  }),
);

test(
  "tables without audit keep no log; stats still report their last write",
  withTable(async (_table, storage) => {
    const quiet = await storage.createTable("dev", { name: "quiet", primaryKey: "id", audit: false });
    assert.equal(quiet.stats().lastUpdatedRecord, undefined, "no write yet");
    await quiet.write("insert", [{ id: 1 }]);
    assert.deepEqual([...quiet.readLog()], []);
    assert.equal(quiet.stats().lastUpdatedRecord, quiet.get(1)!["__updatedtime__"]);
  }),
);

test(
  "stats come from lmdb's statistics: record count, page sizes, file size, audit size, last write",
  withTable(async (table, storage, path) => {
    const empty = table.stats();
    assert.equal(empty.recordCount, 0);
    assert.equal(empty.dbSize, statSync(join(path, "dev.mdb")).size);
    await table.write("insert", Array.from({ length: 500 }, (_, id) => ({ id, text: "x".repeat(200) })));
    await table.deleteRecords([0]);
    const stats = table.stats();
    assert.equal(stats.recordCount, 499);
    assert.ok(stats.tableSize >= 499 * 200 && stats.tableSize % 4096 === 0, `table size ${stats.tableSize}`);
    assert.ok(stats.dbAuditSize > empty.dbAuditSize && stats.dbAuditSize % 4096 === 0);
    assert.equal(stats.dbSize, statSync(join(path, "dev.mdb")).size);
    const last = [...table.readLog({ reverse: true, limit: 1 })][0]!;
    assert.equal(stats.lastUpdatedRecord, last.timestamp, "the newest audit entry (a delete here)");
    const other = await storage.createTable("dev", { name: "other", primaryKey: "id" });
    assert.equal(other.stats().dbAuditSize, stats.dbAuditSize, "the audit size is the database's");
  }),
);

test(
  "timestamps stay above those on disk after a restart, so log keys never repeat",
  withTable(async (table, storage, path) => {
    await table.write("insert", [{ id: 1 }]);
    const [first] = [...table.readLog()];
    await storage.close();
    const reopened = openStorage({ path, now: () => first!.timestamp - 30_000 }); // a clock that went back
    try {
      const again = reopened.table("dev", "t")!;
      await again.write("insert", [{ id: 2 }]);
      const log = [...again.readLog()];
      assert.equal(log.length, 2);
      assert.ok(log[1]!.timestamp > log[0]!.timestamp);
    } finally {
      await reopened.close();
    }
  }),
);
