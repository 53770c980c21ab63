import type { Database, RootDatabase } from "lmdb";
import type { DatabaseEnv } from "./database-env.js";

/** The numbers lmdb gives for one store (a B-tree): its depth, its pages and its entries. */
export interface StoreStatistics {
  treeDepth: number;
  treeBranchPageCount: number;
  treeLeafPageCount: number;
  entryCount: number;
  overflowPages: number;
}

/** One reader slot of an environment's lock table. */
export interface ReaderSlot {
  pid: string;
  thread: string;
  txnid: string;
}

/**
 * The statistics of one database's LMDB environment, close to what Harper reports in
 * system_information `metrics`: the root store and environment numbers from lmdb's `getStats()`,
 * the free list, the reader table, the audit logs (this core keeps one log store per table: their
 * numbers are added up, the depth is the deepest) and each table's primary store. Harper's
 * transaction timings (`timeStartTxns`, `txns`, `puts`, ...) need lmdb's metric tracking, which
 * this core does not turn on: they are left out.
 */
export interface EnvironmentStatistics extends StoreStatistics {
  pageSize: number;
  mapSize: number;
  lastPageNumber: number;
  lastTxnId: number;
  maxReaders: number;
  numReaders: number;
  free: StoreStatistics & { pageSize?: number };
  readers: ReaderSlot[];
  audit: StoreStatistics;
  tables: Record<string, StoreStatistics>;
  /** Entries of each table's audit log, by table (not in Harper's metrics; table_size reports them). */
  auditEntries: Record<string, number>;
}

type RawStats = Partial<StoreStatistics> & Record<string, unknown>;

/** Statistics of one open environment (see EnvironmentStatistics). */
export function environmentStatistics(env: DatabaseEnv): EnvironmentStatistics {
  const raw = env.root.getStats() as RawStats;
  const tables: Record<string, StoreStatistics> = {};
  const audit: StoreStatistics = emptyStore();
  const auditEntries: Record<string, number> = {};
  for (const [name, state] of env.tables) {
    tables[name] = storeOf(state.stores.primary);
    const log = storeOf(state.stores.log);
    auditEntries[name] = log.entryCount;
    audit.treeDepth = Math.max(audit.treeDepth, log.treeDepth);
    audit.treeBranchPageCount += log.treeBranchPageCount;
    audit.treeLeafPageCount += log.treeLeafPageCount;
    audit.entryCount += log.entryCount;
    audit.overflowPages += log.overflowPages;
  }
  const free = (raw.free ?? {}) as RawStats;
  return {
    pageSize: num(raw.pageSize),
    ...pick(raw),
    mapSize: num(raw.mapSize),
    lastPageNumber: num(raw.lastPageNumber),
    lastTxnId: num(raw.lastTxnId),
    maxReaders: num(raw.maxReaders),
    numReaders: num(raw.numReaders),
    free: { pageSize: num(free.pageSize), ...pick(free) },
    readers: readersOf(env.root),
    audit,
    tables,
    auditEntries,
  };
}

function storeOf(store: Database): StoreStatistics {
  return pick(store.getStats() as RawStats);
}

function pick(raw: RawStats): StoreStatistics {
  return {
    treeDepth: num(raw.treeDepth),
    treeBranchPageCount: num(raw.treeBranchPageCount),
    treeLeafPageCount: num(raw.treeLeafPageCount),
    entryCount: num(raw.entryCount),
    overflowPages: num(raw.overflowPages),
  };
}

function emptyStore(): StoreStatistics {
  return { treeDepth: 0, treeBranchPageCount: 0, treeLeafPageCount: 0, entryCount: 0, overflowPages: 0 };
}

function num(value: unknown): number {
  return typeof value === "number" ? value : 0;
}

/** Parses lmdb's reader table text: a header line, then `pid thread txnid` per slot. */
function readersOf(root: RootDatabase): ReaderSlot[] {
  let text: string;
  try {
    text = root.readerList();
  } catch {
    return [];
  }
  return text
    .split("\n")
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields.length === 3 && fields[0] !== "")
    .map(([pid, thread, txnid]) => ({ pid: pid!, thread: thread!, txnid: txnid! }));
}
