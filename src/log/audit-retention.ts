import type { Storage } from "../storage/index.js";

/** How often retention runs at most: an hour, or a tenth of the retention when that is shorter. */
export function retentionInterval(retentionMs: number): number {
  return Math.max(1000, Math.min(3_600_000, Math.floor(retentionMs / 10)));
}

/**
 * Removes the audit log entries older than `retentionMs` from every table (logging.auditRetention,
 * spec system-config-logs.md §7.1). Answers how many entries went.
 */
export async function pruneAuditLogs(storage: Storage, retentionMs: number, now = Date.now()): Promise<number> {
  let removed = 0;
  for (const database of storage.databases()) {
    for (const info of storage.tables(database)) {
      const table = storage.table(database, info.name);
      if (!table) continue;
      try {
        removed += await table.purgeLog(now - retentionMs);
      } catch {
        // dropped while pruning, or the storage closed: nothing to keep
      }
    }
  }
  return removed;
}

/**
 * Runs pruneAuditLogs in the background, once at start and then every retentionInterval; the
 * answer stops it. A run that fails is reported and the next one tries again.
 */
export function scheduleAuditRetention(storage: Storage, retentionMs: number, report: (error: unknown) => void): () => void {
  let running: Promise<unknown> = Promise.resolve();
  const run = () => {
    running = running.then(() => pruneAuditLogs(storage, retentionMs)).catch(report);
  };
  const timer = setInterval(run, retentionInterval(retentionMs));
  timer.unref();
  run();
  return () => clearInterval(timer);
}
