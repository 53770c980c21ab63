import type { Condition, Id, StorageRecord, Table } from "../storage/index.js";
import { walk } from "./compile-expression.js";
import type { Expr } from "./ir.js";
import { resolveColumn } from "./scope.js";
import type { Slot } from "./scope.js";

/** Splits an expression into its top-level AND terms. */
export function conjuncts(expr: Expr | undefined): Expr[] {
  if (!expr) return [];
  if (expr.kind === "binary" && expr.op === "AND") return [...conjuncts(expr.left), ...conjuncts(expr.right)];
  return [expr];
}

/** Whether an expression has an OR anywhere. */
export function hasOr(expr: Expr | undefined): boolean {
  let found = false;
  if (expr) walk(expr, (e) => {
    if (e.kind === "binary" && e.op === "OR") found = true;
  });
  return found;
}

/** The slots an expression reads (resolving its columns; unknown columns throw). */
export function slotsOf(expr: Expr, slots: readonly Slot[]): Set<number> {
  const used = new Set<number>();
  walk(expr, (e) => {
    if (e.kind === "column") used.add(resolveColumn(slots, e.name, e.table).slot.index);
  });
  return used;
}

const flipped: Record<string, string> = { "<": ">", ">": "<", "<=": ">=", ">=": "<=", "=": "=", "==": "=", "===": "=" };
const comparatorOf: Record<string, Condition["comparator"]> = {
  "=": "equals",
  "<": "less_than",
  ">": "greater_than",
  "<=": "less_than_equal",
  ">=": "greater_than_equal",
};
const indexable = (value: unknown) => typeof value === "number" || typeof value === "string" || typeof value === "boolean";

/** One index condition of a slot: an attribute compared with constants. */
export type IndexCondition = Condition | { operator: "or"; conditions: Condition[] };

/**
 * The index condition a WHERE or ON term gives its slot, if it is `column op constant` on the
 * primary key or an indexed attribute: `=`, `<`, `>`, `<=`, `>=`, BETWEEN and IN, as Harper's
 * wrapper turns them into index searches (spec sql.md §1). `ranges` false keeps only `=` and IN:
 * ranges over the index compare by type order, which matches JavaScript's comparison only when
 * Harper would also have used the index (no OR in the WHERE).
 */
export function indexConditionOf(term: Expr, slot: Slot, slots: readonly Slot[], ranges: boolean): IndexCondition | undefined {
  const attributeOf = (e: Expr): string | undefined => {
    if (e.kind !== "column") return undefined;
    const ref = resolveColumn(slots, e.name, e.table);
    return ref.slot === slot && slot.table.isIndexed(ref.column) ? ref.column : undefined;
  };
  if (term.kind === "binary" && flipped[term.op]) {
    let attribute = attributeOf(term.left);
    let other = term.right;
    let op = term.op as string;
    if (attribute === undefined) {
      attribute = attributeOf(term.right);
      other = term.left;
      op = flipped[op]!;
    }
    if (attribute === undefined || other.kind !== "literal" || !indexable(other.value)) return undefined;
    const comparator = comparatorOf[op === "==" || op === "===" ? "=" : op]!;
    if (comparator !== "equals" && !ranges) return undefined;
    return { attribute, comparator, value: other.value };
  }
  if (term.kind === "between" && !term.negated && ranges) {
    const attribute = attributeOf(term.operand);
    if (attribute === undefined || term.low.kind !== "literal" || term.high.kind !== "literal") return undefined;
    if (!indexable(term.low.value) || !indexable(term.high.value)) return undefined;
    return { attribute, comparator: "between", value: [term.low.value, term.high.value] };
  }
  if (term.kind === "in" && !term.negated) {
    const attribute = attributeOf(term.operand);
    if (attribute === undefined || !term.list.every((e) => e.kind === "literal" && indexable(e.value))) return undefined;
    const values = term.list.map((e) => (e as { value: unknown }).value);
    return { operator: "or", conditions: values.map((value) => ({ attribute, comparator: "equals" as const, value })) };
  }
  return undefined;
}

/** JavaScript's own order of an object's keys, which Harper's rows keyed by primary key follow. */
function isArrayIndex(id: Id): boolean {
  return typeof id === "number" ? Number.isInteger(id) && id >= 0 && id < 4294967295 : /^(0|[1-9]\d*)$/.test(id as string) && Number(id) < 4294967295;
}

/**
 * Orders records found through an index as Harper's phase-one rows come out: keyed by primary key
 * in a plain object, so integer keys ascending first, then the rest in the order found.
 */
export function harperRowOrder(records: StorageRecord[], primaryKey: string): StorageRecord[] {
  const integers: StorageRecord[] = [];
  const rest: StorageRecord[] = [];
  const seen = new Set<unknown>();
  for (const record of records) {
    const id = record[primaryKey] as Id;
    const key = typeof id === "number" ? String(id) : id;
    if (seen.has(key)) continue;
    seen.add(key);
    (isArrayIndex(id) ? integers : rest).push(record);
  }
  integers.sort((a, b) => Number(a[primaryKey]) - Number(b[primaryKey]));
  return rest.length ? [...integers, ...rest] : integers;
}

/**
 * The records of a slot that may satisfy `conditions` (every one must hold): looked up by primary
 * key, or searched through the indexes by the query engine, or the whole table in key order
 * (lazily) when there is nothing to look up. A superset: the caller still evaluates its terms.
 */
export function candidates(table: Table, conditions: IndexCondition[]): Iterable<StorageRecord> {
  const primaryKey = table.info.primaryKey;
  if (conditions.length === 0) return table.scan();
  const onKey = conditions.find(
    (c): c is Condition => !("operator" in c) && c.attribute === primaryKey && c.comparator === "equals",
  );
  if (onKey) {
    const record = lookup(table, onKey.value);
    return record ? [record] : [];
  }
  const keys = conditions.find(
    (c): c is { operator: "or"; conditions: Condition[] } => "operator" in c && c.conditions[0]?.attribute === primaryKey,
  );
  if (keys) {
    const records = keys.conditions.map((c) => lookup(table, c.value)).filter((r): r is StorageRecord => r !== undefined);
    return harperRowOrder(records, primaryKey);
  }
  const found = [...table.search({ where: { operator: "and", conditions } })];
  return harperRowOrder(found, primaryKey);
}

/** The record with a key, or undefined (also for a value that cannot be a key). */
export function lookup(table: Table, value: unknown): StorageRecord | undefined {
  if (typeof value !== "number" && typeof value !== "string") return undefined;
  if (typeof value === "number" && !Number.isFinite(value)) return undefined;
  try {
    return table.get(value);
  } catch {
    return undefined;
  }
}
