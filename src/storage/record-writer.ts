import type { IndexStore, TableState } from "./database-env.js";
import { StorageError } from "./errors.js";
import { updateIndexes } from "./index-keys.js";
import { generateId } from "./primary-key.js";
import { attributeOf, checkRequired, hasRequired } from "./record-types.js";
import { createdTimeAttribute, updatedTimeAttribute } from "./system-tables.js";
import type { Id, LogEntry, StorageRecord, WriteKind, WriteResult } from "./types.js";
import type { PreparedRecord } from "./write-input.js";

/**
 * The record writes that run inside a table's write transaction (write-transaction.ts): they read
 * the current records, write the new ones, keep the indexes, the expiry index and the audit log in
 * step, all in the one transaction, so that a failure anywhere rolls every part back.
 */

/** What one write transaction works with. */
export interface WriteScope {
  readonly state: TableState;
  /** The call's one timestamp. */
  readonly now: number;
  /** The index store of an attribute, including attributes this transaction adds. */
  readonly indexOf: (attribute: string) => IndexStore | undefined;
}

/** A record as stored now: `raw` whatever its expiry, `live` only when not expired. */
interface Current {
  raw: StorageRecord | undefined;
  /** Its expiry time, on tables with expiration. */
  expiresAt: number | undefined;
  live: StorageRecord | undefined;
}

/** The meta store key of the newest record write's timestamp. */
export const lastUpdatedKey = "lastUpdated";

/**
 * Writes records with Harper's insert/update/upsert semantics (spec nosql §2.3): insert skips
 * existing keys, update merges into existing records (shallow) and skips absent ones, upsert
 * merges or creates; a key repeated in the call is processed once and then skipped; missing keys
 * are generated. Records are stamped with the call's timestamp, given the table's expiry, indexed
 * and logged.
 */
export function writeRecords(scope: WriteScope, kind: WriteKind, records: readonly PreparedRecord[], user: string | undefined): WriteResult {
  const { state, now } = scope;
  const { info, stores } = state;
  const stampCreated = state.names.has(createdTimeAttribute);
  const stampUpdated = state.names.has(updatedTimeAttribute);
  const required = info.schemaDefined && hasRequired(info);
  const filled = new Set([info.primaryKey, createdTimeAttribute, updatedTimeAttribute]);
  const result: WriteResult = { written: [], skipped: [] };
  const seen = new Set<string>();
  const errors: string[] = [];
  const log = { hash: [] as Id[], after: [] as StorageRecord[], before: [] as Array<StorageRecord | null> };

  for (const { record, id: given } of records) {
    const generated = given === undefined;
    const id = generated
      ? generateId(attributeOf(info, info.primaryKey)?.type, stores.meta, (key) => stores.primary.doesExist(key))
      : given;
    const seenKey = keyOf(id);
    if (seen.has(seenKey)) {
      result.skipped.push(id);
      continue;
    }
    seen.add(seenKey);
    const current = readCurrent(state, id, now);
    if ((kind === "insert" && current.live) || (kind === "update" && !current.live)) {
      result.skipped.push(id);
      continue;
    }
    const previous = current.live;
    const next: StorageRecord = previous ? { ...previous, ...record } : { ...record };
    next[info.primaryKey] = id;
    if (stampCreated) {
      const created = previous?.[createdTimeAttribute];
      next[createdTimeAttribute] = typeof created === "number" ? created : now;
    }
    if (stampUpdated) next[updatedTimeAttribute] = now;
    if (required && !previous) checkRequired(info, next, filled, errors);
    storeRecord(scope, id, current, next);
    result.written.push({ id, generated });
    log.hash.push(id);
    log.after.push(next);
    log.before.push(previous ?? null);
  }
  if (errors.length > 0) throw new StorageError("INVALID", errors.join(". "));
  if (log.hash.length > 0) {
    void stores.meta.put(lastUpdatedKey, now);
    const entry: LogEntry = { timestamp: now, operation: kind, hash_values: log.hash, records: log.after };
    if (kind !== "insert") entry.original_records = log.before;
    appendLog(scope, entry, user);
  }
  return result;
}

/**
 * Deletes records by key; returns the keys that existed (and had not expired), in request order.
 * Expired records are removed too, without being reported. Logged as one `delete` entry.
 */
export function deleteRecords(scope: WriteScope, ids: readonly Id[], user: string | undefined): Id[] {
  const deleted: Id[] = [];
  const before: StorageRecord[] = [];
  for (const id of ids) {
    const current = readCurrent(scope.state, id, scope.now);
    if (!current.raw) continue;
    eraseRecord(scope, id, current);
    if (!current.live) continue;
    deleted.push(id);
    before.push(current.live);
  }
  if (deleted.length > 0) {
    appendLog(scope, { timestamp: scope.now, operation: "delete", hash_values: deleted, original_records: before }, user);
  }
  return deleted;
}

/** The record stored under a key, with its expiry on tables that have one. */
export function readCurrent(state: TableState, id: Id, now: number): Current {
  const { primary } = state.stores;
  if (state.info.expiration === undefined) {
    const raw = primary.get(id);
    return { raw, expiresAt: undefined, live: raw };
  }
  const entry = primary.getEntry(id);
  const expiresAt = entry?.version;
  return { raw: entry?.value, expiresAt, live: entry && (expiresAt as number) > now ? entry.value : undefined };
}

/** Writes a record over the current one: primary store, indexes, expiry index. */
export function storeRecord(scope: WriteScope, id: Id, current: Current, next: StorageRecord): void {
  const { state, now } = scope;
  const { primary, expiry } = state.stores;
  const expiration = state.info.expiration;
  if (expiration === undefined) {
    void primary.put(id, next);
  } else {
    const expiresAt = now + expiration * 1000;
    void primary.put(id, next, expiresAt);
    if (current.expiresAt !== undefined) void expiry?.remove(current.expiresAt, id);
    void expiry?.put(expiresAt, id);
  }
  updateIndexes(scope.indexOf, id, current.raw, next);
}

/** Removes a record: primary store, indexes, expiry index. */
export function eraseRecord(scope: WriteScope, id: Id, current: Current): void {
  const { primary, expiry } = scope.state.stores;
  void primary.remove(id);
  if (current.expiresAt !== undefined) void expiry?.remove(current.expiresAt, id);
  updateIndexes(scope.indexOf, id, current.raw, undefined);
}

function appendLog(scope: WriteScope, entry: LogEntry, user: string | undefined): void {
  if (!scope.state.info.audit) return;
  if (user !== undefined) entry.user = user;
  void scope.state.stores.log.put(entry.timestamp, entry);
}

/** A type-exact identity for a key: 1 and "1" differ. */
export function keyOf(id: Id): string {
  return typeof id === "number" ? `n${id}` : `s${id}`;
}
