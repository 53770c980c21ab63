import { statSync } from "node:fs";
import type { Database } from "lmdb";
import { lastLogTimestamp } from "./audit-log.js";
import type { DatabaseEnv, TableState } from "./database-env.js";
import { lastUpdatedKey } from "./record-writer.js";
import type { TableStats } from "./types.js";

/** The part of lmdb's `getStats()` of one store that the sizes come from. */
interface StoreStats {
  pageSize: number;
  entryCount: number;
  treeBranchPageCount: number;
  treeLeafPageCount: number;
  overflowPages: number;
}

/**
 * A table's counts and sizes without scanning anything (spec databases-tables §0.5): lmdb's entry
 * count and page counts of the primary store, the size of the database file, the pages of every
 * audit log of the database (Harper keeps one audit store per database; this core keeps one per
 * table and adds them up), and the newest write time: the newest audit entry, or the `lastUpdated`
 * time each record write keeps in the table's meta store.
 */
export function tableStats(env: DatabaseEnv, state: TableState): TableStats {
  const primary = statsOf(state.stores.primary);
  let dbAuditSize = 0;
  for (const table of env.tables.values()) dbAuditSize += bytesOf(statsOf(table.stores.log));
  const lastLog = lastLogTimestamp(state.stores.log);
  const lastWrite = state.stores.meta.get(lastUpdatedKey);
  const candidates = [lastLog, lastWrite].filter((value): value is number => typeof value === "number");
  return {
    recordCount: primary.entryCount,
    tableSize: bytesOf(primary),
    dbSize: fileSize(env.file),
    dbAuditSize,
    ...(candidates.length > 0 ? { lastUpdatedRecord: Math.max(...candidates) } : {}),
  };
}

function statsOf(store: Database): StoreStats {
  return store.getStats() as StoreStats;
}

function bytesOf(stats: StoreStats): number {
  return (stats.treeBranchPageCount + stats.treeLeafPageCount + stats.overflowPages) * stats.pageSize;
}

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0; // the file was removed meanwhile (database dropped): nothing to report
  }
}
