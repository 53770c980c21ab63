import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { openStorage } from "../src/storage/index.js";

/** Records per batch, and batches the child keeps in flight at once. */
const batchSize = 50;
const inFlight = 4;
/** Acknowledged batches to wait for before killing the child. */
const killAfter = 40;

/**
 * The child: opens the storage, then inserts batches forever, several at a time, and prints
 * `ack <n>` once the write of batch n has resolved (that is, is durable).
 */
const childSource = `
const { openStorage } = await import(process.env.STORAGE_URL);
const storage = openStorage({ path: process.env.STORAGE_PATH, expirySweepInterval: 0 });
const table = storage.table("dev", "crash") ?? (await storage.createTable("dev", { name: "crash", primaryKey: "id" }));
const size = Number(process.env.BATCH_SIZE);
let next = 0;
const pending = new Set();
const write = async (batch) => {
  const records = Array.from({ length: size }, (_, i) => ({ id: batch * size + i, batch, tag: "t" + (batch % 7), body: "x".repeat(200) }));
  await table.write("insert", records, { user: "crash" });
  process.stdout.write("ack " + batch + "\\n");
};
process.stdout.write("ready\\n");
for (;;) {
  while (pending.size < Number(process.env.IN_FLIGHT)) {
    const run = write(next++).finally(() => pending.delete(run));
    pending.add(run);
  }
  await Promise.race(pending);
}
`;

test("every batch acknowledged before a SIGKILL is on disk after reopening, and no batch is half written", async () => {
  const folder = mkdtempSync(join(tmpdir(), "harper-crash-"));
  const path = join(folder, "database");
  try {
    const child = spawn(process.execPath, ["--input-type=module", "-e", childSource], {
      env: {
        ...process.env,
        STORAGE_URL: new URL("../src/storage/index.js", import.meta.url).href,
        STORAGE_PATH: path,
        BATCH_SIZE: String(batchSize),
        IN_FLIGHT: String(inFlight),
      },
      stdio: ["ignore", "pipe", "inherit"],
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once("exit", (_code, signal) => resolve(signal)));
    const acknowledged = new Set<number>();
    for await (const line of createInterface({ input: child.stdout })) {
      const match = /^ack (\d+)$/.exec(line);
      if (match) acknowledged.add(Number(match[1]));
      if (acknowledged.size >= killAfter) {
        child.kill("SIGKILL"); // mid-stream: more batches are in flight
        break;
      }
    }
    assert.equal(await exited, "SIGKILL");
    assert.equal(acknowledged.size, killAfter);

    const storage = openStorage({ path, expirySweepInterval: 0 });
    try {
      const table = storage.table("dev", "crash");
      assert.ok(table, "the table created by the child is in the catalog");
      const perBatch = new Map<number, number>();
      for (const record of table.scan()) {
        const batch = record["batch"] as number;
        perBatch.set(batch, (perBatch.get(batch) ?? 0) + 1);
      }
      for (const batch of acknowledged) assert.equal(perBatch.get(batch), batchSize, `acknowledged batch ${batch} is whole`);
      for (const [batch, count] of perBatch) assert.equal(count, batchSize, `batch ${batch} is all or nothing`);
      const total = table.count();
      assert.equal(total, perBatch.size * batchSize);
      assert.ok(total >= killAfter * batchSize);
      assert.equal(table.indexCount("tag", {}), total, "the index holds exactly the committed records");
      assert.equal(table.indexCount("batch", {}), total);
      const logged = new Set<number>();
      for (const entry of table.readLog({ user: "crash" })) logged.add((entry.hash_values[0] as number) / batchSize);
      assert.deepEqual([...logged].sort((a, b) => a - b), [...perBatch.keys()].sort((a, b) => a - b), "one log entry per committed batch");
      await table.write("insert", [{ id: -1, batch: -1 }]);
      assert.equal(table.get(-1)?.["batch"], -1, "the reopened storage takes writes");
    } finally {
      await storage.close();
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});
