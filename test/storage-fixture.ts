import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isStorageError, openStorage } from "../src/storage/index.js";
import type { Storage, Table } from "../src/storage/index.js";

/** Runs `body` with a fresh storage in a temporary folder, closed and removed afterwards. */
export function withStorage(body: (storage: Storage, path: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const folder = mkdtempSync(join(tmpdir(), "harper-storage-"));
    const path = join(folder, "database");
    const storage = openStorage({ path });
    try {
      await body(storage, path);
    } finally {
      await storage.close();
      rmSync(folder, { recursive: true, force: true });
    }
  };
}

/** Runs `body` with a fresh storage and a dynamic table `dev.t` keyed by `id`. */
export function withTable(body: (table: Table, storage: Storage, path: string) => Promise<void>): () => Promise<void> {
  return withStorage(async (storage, path) => body(await storage.createTable("dev", { name: "t", primaryKey: "id" }), storage, path));
}

/** An assert.rejects/throws matcher for a StorageError of `code` (and `message` when given). */
export function storageError(code: string, message?: string) {
  return (error: unknown) =>
    isStorageError(error) && error.code === code && (message === undefined || error.message === message);
}
