import { eraseRecord, readCurrent } from "./record-writer.js";
import type { WriteScope } from "./record-writer.js";
import type { Id } from "./types.js";

/**
 * Expiration (tables created with `expiration`, spec nosql §2.3): each write gives the record an
 * expiry time, `now + expiration` seconds, kept as the lmdb version of its primary entry and in an
 * expiry index (expiry time -> key). Reads hide records whose time has passed (index-reader.ts);
 * writes treat them as absent; the sweep below removes them from the disk.
 */

/** Records removed per sweep transaction, so that a sweep never holds the write lock for long. */
export const sweepBatchSize = 1000;

/**
 * Removes up to `limit` records whose expiry time is at most `scope.now`, with their index
 * entries, inside a write transaction. Expiry entries left behind by a rewrite (the record has a
 * newer expiry time now) are dropped too. Sweeps are not written to the audit log: each node
 * expires records by itself. Returns the number of records removed and whether more are due.
 */
export function sweepExpired(scope: WriteScope, limit = sweepBatchSize): { removed: number; more: boolean } {
  const { expiry } = scope.state.stores;
  if (!expiry) return { removed: 0, more: false };
  const due = Array.from(expiry.getRange({ end: scope.now, inclusiveEnd: true, limit: limit + 1 }));
  const more = due.length > limit;
  let removed = 0;
  for (const { key: expiresAt, value: id } of due.slice(0, limit) as Array<{ key: number; value: Id }>) {
    const current = readCurrent(scope.state, id, scope.now);
    if (current.raw && current.expiresAt === expiresAt) {
      eraseRecord(scope, id, current);
      removed++;
    } else {
      void expiry.remove(expiresAt, id);
    }
  }
  return { removed, more };
}
