import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStorage } from "../src/storage/index.js";
import type { Storage, Table } from "../src/storage/index.js";

/** A storage whose clock the test moves by hand, and a dynamic table `dev.ttl` expiring after 60 s. */
interface Fixture {
  storage: Storage;
  table: Table;
  path: string;
  /** Moves the storage's clock forward. */
  advance(ms: number): void;
  now(): number;
}

function withExpiringTable(body: (fixture: Fixture) => Promise<void>): () => Promise<void> {
  return async () => {
    const folder = mkdtempSync(join(tmpdir(), "harper-expiry-"));
    const path = join(folder, "database");
    let time = 1_800_000_000_000;
    const now = () => time;
    const storage = openStorage({ path, now, expirySweepInterval: 0 });
    try {
      const table = await storage.createTable("dev", { name: "ttl", primaryKey: "id", expiration: 60 });
      await body({ storage, table, path, now, advance: (ms) => void (time += ms) });
    } finally {
      await storage.close();
      rmSync(folder, { recursive: true, force: true });
    }
  };
}

const ids = (records: Iterable<Record<string, unknown>>) => Array.from(records, (record) => record["id"]);

test(
  "expired records are invisible to every read before they are swept",
  withExpiringTable(async ({ table, advance }) => {
    await table.write("insert", [{ id: 1, c: "x" }, { id: 2, c: "x" }]);
    advance(30_000);
    await table.write("upsert", [{ id: 2, c: "y" }, { id: 3, c: "y" }]); // 2 and 3 now expire 30 s after 1
    advance(30_001); // 1 has expired
    assert.equal(table.get(1), undefined);
    assert.deepEqual(table.getMany([1, 2]).map((record) => record?.["id"]), [undefined, 2]);
    assert.deepEqual(ids(table.scan()), [2, 3]);
    assert.deepEqual(ids(table.scan({ limit: 1 })), [2], "paging counts live records only");
    assert.deepEqual(ids(table.scan({ reverse: true, offset: 1 })), [2]);
    assert.deepEqual(Array.from(table.scanPrimary(false), (row) => row.id), [2, 3]);
    assert.deepEqual(Array.from(table.indexRange("c", {}), (entry) => entry.id), [2, 3]);
    assert.deepEqual(Array.from(table.indexRange("id", {}), (entry) => entry.id), [2, 3]);
    assert.deepEqual(ids(table.search({ where: { operator: "and", conditions: [{ attribute: "c", comparator: "equals", value: "x" }] } })), []);
    assert.equal(table.count(), 3, "not swept yet: still stored");
    advance(30_000);
    assert.deepEqual(ids(table.scan()), [], "all expired");
  }),
);

test(
  "writes treat expired records as absent and give them a new expiry time",
  withExpiringTable(async ({ table, advance }) => {
    await table.write("insert", [{ id: 1, c: "old" }, { id: 2, c: "old" }]);
    advance(60_001);
    const updated = await table.write("update", [{ id: 1, c: "new" }]);
    assert.deepEqual(updated.skipped, [1], "update skips an expired record");
    const inserted = await table.write("insert", [{ id: 1, c: "new" }]);
    assert.deepEqual(inserted.written, [{ id: 1, generated: false }], "insert creates over an expired record");
    assert.deepEqual(table.get(1), { id: 1, c: "new", __createdtime__: table.get(1)!["__createdtime__"], __updatedtime__: table.get(1)!["__updatedtime__"] });
    assert.equal(table.get(1)!["__createdtime__"], table.get(1)!["__updatedtime__"], "a new record, not a merge");
    assert.deepEqual(Array.from(table.indexRange("c", {}), (e) => [e.value, e.id]), [["new", 1]], "the old index entry is gone");
    assert.deepEqual(await table.deleteRecords([2]), [], "an expired record does not count as deleted");
    advance(59_000);
    assert.equal(table.get(1)!["c"], "new", "the rewrite started a new 60 s");
  }),
);

test(
  "the sweep removes expired records and their index entries from the disk",
  withExpiringTable(async ({ table, advance }) => {
    await table.write("insert", Array.from({ length: 1500 }, (_, id) => ({ id, c: id % 3 })));
    advance(30_000);
    await table.write("upsert", [{ id: 0, c: "kept" }]);
    advance(30_001);
    assert.equal(table.count(), 1500);
    assert.equal(await table.sweepExpired(), 1499, "in several transactions of at most 1000");
    assert.equal(table.count(), 1);
    assert.equal(table.indexCount("c", {}), 1);
    assert.deepEqual(ids(table.scan()), [0]);
    assert.equal(await table.sweepExpired(), 0);
    advance(30_000);
    assert.equal(await table.sweepExpired(), 1);
    assert.equal(table.stats().recordCount, 0);
  }),
);

test(
  "the expiration survives a restart, and the storage sweeps by itself when asked to",
  withExpiringTable(async ({ storage, table, path, now, advance }) => {
    await table.write("insert", [{ id: 1 }]);
    await storage.close();
    advance(60_001);
    const reopened = openStorage({ path, now, expirySweepInterval: 1 });
    try {
      const again = reopened.table("dev", "ttl")!;
      assert.equal(again.info.expiration, 60);
      assert.equal(again.get(1), undefined);
      // Wait for the timer's sweep (every millisecond here), giving up after many turns.
      for (let turn = 0; turn < 2000 && again.count() > 0; turn++) await new Promise((resolve) => setTimeout(resolve, 5));
      assert.equal(again.count(), 0);
    } finally {
      await reopened.close();
    }
  }),
);
