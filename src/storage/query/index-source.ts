import type { Id, StorageRecord } from "../types.js";

/**
 * A range over the values of one secondary index, in the value order of `compareValues` (Harper's
 * ordered-binary key order, spec nosql §1.5). A bound left `undefined` is open; `null` is a real
 * bound (the lowest value). Bounds are exclusive unless the matching `...Inclusive` flag is true.
 * A range whose start lies above its end holds nothing. `reverse` walks it from the top down.
 */
export interface IndexRange {
  /** Lower bound; `undefined` for none. */
  start?: unknown;
  /** Whether `start` itself belongs to the range. */
  startInclusive?: boolean;
  /** Upper bound; `undefined` for none. */
  end?: unknown;
  /** Whether `end` itself belongs to the range. */
  endInclusive?: boolean;
  /** Walk from the highest entry down (ties then by id descending too). */
  reverse?: boolean;
}

/** One entry of a secondary index: an indexed value and the primary key of its record. */
export interface IndexEntry {
  /** The indexed value: the attribute's value, or one element of an array value. */
  value: unknown;
  /** The primary key of the record holding it. */
  id: Id;
}

/** A record as the primary store yields it, with its key. */
export interface PrimaryEntry {
  /** The primary key. */
  id: Id;
  /** The stored record. */
  record: StorageRecord;
}

/**
 * What the query engine needs from a table: its primary store and its secondary indexes, read
 * synchronously and lazily. The table (lmdb) implements it; `createMemoryIndexSource` is an
 * in-memory implementation for tests. Every order here is `compareValues` order.
 */
export interface IndexSource {
  /** Name of the primary key attribute. */
  readonly primaryKey: string;
  /** The record with this primary key (type-exact: `1` is not `"1"`), or undefined. */
  get(id: Id): StorageRecord | undefined;
  /** Every record in primary key order, descending when `reverse`; lazy. */
  scanPrimary(reverse: boolean): Iterable<PrimaryEntry>;
  /** Whether `attribute` has a secondary index (false for the primary key unless it has one). */
  isIndexed(attribute: string): boolean;
  /**
   * The index entries of `attribute` within `range`, lazily, ordered by value then id ascending
   * (all reversed when `range.reverse`). A record whose value is an array has one entry per
   * element; `null` values are indexed; a record missing the attribute has no entry.
   */
  indexRange(attribute: string, range: IndexRange): Iterable<IndexEntry>;
  /**
   * How many entries `indexRange(attribute, range)` would yield. It only picks the driving
   * condition (and so the order of an unsorted result), so an estimate never changes which
   * records match.
   */
  indexCount(attribute: string, range: IndexRange): number;
}
