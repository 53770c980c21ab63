import type { Id, StorageRecord, Table } from "../storage/index.js";
import { compileExpression } from "./compile-expression.js";
import type { Evaluator } from "./compile-expression.js";
import type { Expr, JoinClause } from "./ir.js";
import { candidates, conjuncts, hasOr, indexConditions, lookup, meets, slotsOf } from "./plan-access.js";
import type { IndexCondition } from "./plan-access.js";
import type { Row, Slot } from "./scope.js";

/** One JOIN to run: the clause, the slot of its table and its compiled ON condition. */
export interface JoinPlan {
  join: JoinClause;
  slot: Slot;
  on?: Evaluator;
}

/** An equality of the ON clause between the joined table and the tables before it. */
interface EquiJoin {
  /** The joined table's side, read from a row that holds only its record. */
  inner: Evaluator;
  /** The attribute of the joined table, when the inner side is a plain column of it. */
  column?: string;
  /** The other side, read from the rows joined so far. */
  outer: Evaluator;
}

/**
 * Joins one more table onto `rows` (spec sql.md §4.5). Terms of the ON clause on the joined table
 * alone narrow how it is read; an equality with the tables before it becomes an index lookup per
 * row (primary key or secondary index) when few rows come in, else a hash join over the table's
 * candidates; anything else a nested loop. LEFT keeps unmatched rows with no record, RIGHT and
 * OUTER (full) add the joined table's unmatched records after the matched rows.
 */
export function joinRows(
  rows: Iterable<Row>,
  plan: JoinPlan,
  slots: readonly Slot[],
  whereConditions: IndexCondition[],
  preserved: boolean,
): Row[] {
  const { join, slot } = plan;
  const table = slot.table;
  const terms = conjuncts(join.on);
  const ranges = !hasOr(join.on);
  let equi: EquiJoin | undefined;
  const own: Expr[] = [];
  for (const term of terms) {
    const used = slotsOf(term, slots);
    if (used.size === 1 && used.has(slot.index)) own.push(term);
    else if (!equi && join.mode !== "CROSS") equi = equiJoinOf(term, slot, slots);
  }
  const conditions: IndexCondition[] = [...(preserved ? whereConditions : []), ...indexConditions(own, slot, slots, ranges)];
  const left = Array.isArray(rows) ? (rows as Row[]) : [...rows];
  const out: Row[] = [];
  const on = plan.on;
  const matches = (row: Row) => !on || !!on(row);
  const keepUnmatchedLeft = join.mode === "LEFT" || join.mode === "OUTER";
  const addUnmatchedRight = join.mode === "RIGHT" || join.mode === "OUTER";
  const width = slot.index;

  const useIndex =
    equi?.column !== undefined && !addUnmatchedRight && table.isIndexed(equi.column) && left.length * 4 < table.count();
  if (equi && useIndex) {
    const column = equi.column!;
    const primary = column === table.info.primaryKey;
    for (const row of left) {
      const value = equi.outer(row);
      let found = false;
      for (const record of primary ? single(lookup(table, value)) : byIndex(table, column, value)) {
        if (conditions.length && !meets(conditions, record)) continue;
        const joined = [...row, record];
        if (matches(joined)) {
          out.push(joined);
          found = true;
        }
      }
      if (!found && keepUnmatchedLeft) out.push([...row, undefined]);
    }
    return out;
  }

  const inner = [...candidates(table, conditions)];
  const matched = addUnmatchedRight ? new Set<StorageRecord>() : undefined;
  let lookupInner: (row: Row) => Iterable<StorageRecord> = () => inner;
  if (equi) {
    const buckets = new Map<unknown, StorageRecord[]>();
    const probe: Row = new Array(width + 1);
    for (const record of inner) {
      probe[width] = record;
      const key = equi.inner(probe);
      if (key == null) continue;
      const bucket = buckets.get(key);
      if (bucket) bucket.push(record);
      else buckets.set(key, [record]);
    }
    const outer = equi.outer;
    lookupInner = (row) => {
      const key = outer(row);
      return key == null ? [] : (buckets.get(key) ?? []);
    };
  }
  for (const row of left) {
    let found = false;
    for (const record of lookupInner(row)) {
      const joined = [...row, record];
      if (matches(joined)) {
        out.push(joined);
        found = true;
        matched?.add(record);
      }
    }
    if (!found && keepUnmatchedLeft) out.push([...row, undefined]);
  }
  if (matched) {
    for (const record of inner) {
      if (matched.has(record)) continue;
      const row: Row = new Array(width + 1);
      row[width] = record;
      out.push(row);
    }
  }
  return out;
}

/** `joined.x = <expression of earlier tables>` (either way round), if the term is one. */
function equiJoinOf(term: Expr, slot: Slot, slots: readonly Slot[]): EquiJoin | undefined {
  if (term.kind !== "binary" || (term.op !== "=" && term.op !== "==" && term.op !== "===")) return undefined;
  const sides = [term.left, term.right];
  for (let i = 0; i < 2; i++) {
    const mine = sides[i]!;
    const theirs = sides[1 - i]!;
    const mineSlots = slotsOf(mine, slots);
    const theirSlots = slotsOf(theirs, slots);
    if (mineSlots.size !== 1 || !mineSlots.has(slot.index)) continue;
    if (theirSlots.size === 0 || [...theirSlots].some((index) => index >= slot.index)) continue;
    const context = { slots };
    const column = mine.kind === "column" ? mine.name : undefined;
    return { inner: compileExpression(mine, context), column, outer: compileExpression(theirs, context) };
  }
  return undefined;
}

function single(record: StorageRecord | undefined): StorageRecord[] {
  return record ? [record] : [];
}

/** The records whose indexed `attribute` holds `value` (once each, even for array values). */
function* byIndex(table: Table, attribute: string, value: unknown): Iterable<StorageRecord> {
  if (value === null || value === undefined || typeof value === "object") return;
  const seen = new Set<Id>();
  for (const entry of table.indexRange(attribute, { start: value, end: value, startInclusive: true, endInclusive: true })) {
    if (seen.has(entry.id)) continue;
    seen.add(entry.id);
    const record = table.get(entry.id);
    if (record) yield record;
  }
}
