import type { Condition, Id, StorageRecord, Table } from "../storage/index.js";
import { matchesWhere } from "../storage/query/index.js";
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

const comparatorOf: Record<string, Condition["comparator"]> = {
  "=": "equals",
  "==": "equals",
  "===": "equals",
  "<": "less_than",
  ">": "greater_than",
  "<=": "less_than_equal",
  ">=": "greater_than_equal",
};
const flipped: Record<string, string> = { "<": ">", ">": "<", "<=": ">=", ">=": "<=", "=": "=", "==": "==", "===": "===" };
const indexable = (value: unknown) => typeof value === "number" || typeof value === "string" || typeof value === "boolean";
const isNumber = (value: unknown): value is number => typeof value === "number" && !Number.isNaN(value);

/** One index condition of a slot: an attribute compared with constants. */
export type IndexCondition = Condition | { operator: "or"; conditions: Condition[] };

/** A term of one attribute, sorted by how Harper's wrapper reads it. */
interface AttributeTerm {
  attribute: string;
  /** `column = constant` / `column IN (...)`: Harper looks the values up. */
  equality?: IndexCondition;
  /** `column < constant` and the like: Harper walks the index from or to the constant. */
  range?: Condition;
  /** Terms Harper evaluates without its index (BETWEEN, `constant < column`), with the range they stand for. */
  plain?: Condition;
  /** An equality written `constant = column`: exact through the index, but not one of Harper's conditions. */
  exact?: IndexCondition;
}

/**
 * The index conditions the terms of a WHERE (or ON) clause give one slot: the top-level AND terms
 * that compare one of its indexed attributes (or its primary key) with constants, read as Harper
 * 4.7's wrapper reads them (spec sql.md §1), which decides which records its phase one fetches:
 * - `column = constant` and `column IN (...)` look the values up;
 * - `column <op> constant` (`<`, `>`, `<=`, `>=`) walks the index in its type order (`v < 5` never
 *   finds `"3"` nor `false`, which JavaScript's `<` would), only when the clause has no OR
 *   (`ranges`), and only when it is the attribute's only kind of condition: an attribute that also
 *   has an equality, or ranges from below and from above (`v >= 1 AND v <= 5`), is fetched whole;
 * - BETWEEN and a constant on the left (`5 > v`) never narrow.
 * Where Harper fetches whole, a term still narrows when that cannot change the answer: its bounds
 * are numbers and the attribute's index holds numbers only (its lowest and highest entries are
 * numbers), where the index order is JavaScript's; and `constant = column` is looked up.
 */
export function indexConditions(terms: readonly Expr[], slot: Slot, slots: readonly Slot[], ranges: boolean): IndexCondition[] {
  const byAttribute = new Map<string, AttributeTerm[]>();
  for (const term of terms) {
    const read = attributeTerm(term, slot, slots, ranges);
    if (!read) continue;
    const list = byAttribute.get(read.attribute);
    if (list) list.push(read);
    else byAttribute.set(read.attribute, [read]);
  }
  const conditions: IndexCondition[] = [];
  for (const [attribute, list] of byAttribute) {
    const hasEquality = list.some((t) => t.equality);
    const lower = list.some((t) => t.range && t.range.comparator.startsWith("greater"));
    const upper = list.some((t) => t.range && t.range.comparator.startsWith("less"));
    const rangesApply = !hasEquality && !(lower && upper);
    let numericOnly: boolean | undefined;
    const exactRange = (condition: Condition): Condition | undefined => {
      const bounds = Array.isArray(condition.value) ? condition.value : [condition.value];
      if (!bounds.every(isNumber)) return undefined;
      numericOnly ??= holdsNumbersOnly(slot.table, attribute);
      return numericOnly ? condition : undefined;
    };
    for (const t of list) {
      if (t.equality) conditions.push(t.equality);
      else if (t.exact) conditions.push(t.exact);
      else if (t.range && rangesApply) conditions.push(t.range);
      else {
        const condition = t.range ?? t.plain;
        const exact = condition && exactRange(condition);
        if (exact) conditions.push(exact);
      }
    }
  }
  return conditions;
}

/** Whether every entry of an attribute's index (the primary store for the key) is a number. */
export function holdsNumbersOnly(table: Table, attribute: string): boolean {
  const edge = (reverse: boolean): unknown => {
    for (const entry of table.indexRange(attribute, { reverse })) return entry.value;
    return undefined;
  };
  return isNumber(edge(false)) && isNumber(edge(true));
}

function attributeTerm(term: Expr, slot: Slot, slots: readonly Slot[], ranges: boolean): AttributeTerm | undefined {
  const attributeOf = (e: Expr): string | undefined => {
    if (e.kind !== "column") return undefined;
    const ref = resolveColumn(slots, e.name, e.table);
    return ref.slot === slot && slot.table.isIndexed(ref.column) ? ref.column : undefined;
  };
  if (term.kind === "binary" && comparatorOf[term.op]) {
    const literal = (e: Expr) => e.kind === "literal" && indexable(e.value);
    let attribute = attributeOf(term.left);
    if (attribute !== undefined && literal(term.right)) {
      const condition: Condition = { attribute, comparator: comparatorOf[term.op]!, value: (term.right as { value: unknown }).value };
      if (condition.comparator === "equals") return { attribute, equality: condition };
      return ranges ? { attribute, range: condition } : { attribute, plain: condition };
    }
    attribute = attributeOf(term.right);
    if (attribute !== undefined && literal(term.left)) {
      const condition: Condition = { attribute, comparator: comparatorOf[flipped[term.op]!]!, value: (term.left as { value: unknown }).value };
      return condition.comparator === "equals" ? { attribute, exact: condition } : { attribute, plain: condition };
    }
    return undefined;
  }
  if (term.kind === "between" && !term.negated) {
    const attribute = attributeOf(term.operand);
    if (attribute === undefined || term.low.kind !== "literal" || term.high.kind !== "literal") return undefined;
    if (!indexable(term.low.value) || !indexable(term.high.value)) return undefined;
    return { attribute, plain: { attribute, comparator: "between", value: [term.low.value, term.high.value] } };
  }
  if (term.kind === "in" && !term.negated) {
    const attribute = attributeOf(term.operand);
    if (attribute === undefined || !term.list.every((e) => e.kind === "literal" && indexable(e.value))) return undefined;
    const values = term.list.map((e) => (e as { value: unknown }).value);
    return { attribute, equality: { operator: "or", conditions: values.map((value) => ({ attribute, comparator: "equals" as const, value })) } };
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
    return record && meets(conditions, record, onKey) ? [record] : [];
  }
  const keys = conditions.find(
    (c): c is { operator: "or"; conditions: Condition[] } => "operator" in c && c.conditions[0]?.attribute === primaryKey,
  );
  if (keys) {
    const records = keys.conditions
      .map((c) => lookup(table, c.value))
      .filter((r): r is StorageRecord => r !== undefined && meets(conditions, r, keys));
    return harperRowOrder(records, primaryKey);
  }
  const found = [...table.search({ where: { operator: "and", conditions } })];
  return harperRowOrder(found, primaryKey);
}

/**
 * Whether a record meets every condition but `skip`, as the index would have found it (the
 * storage's matching: type order, arrays by element): records read by key still pass the other
 * conditions, as Harper intersects what each condition fetched.
 */
export function meets(conditions: readonly IndexCondition[], record: StorageRecord, skip?: IndexCondition): boolean {
  for (const condition of conditions) if (condition !== skip && !matchesWhere(condition, record)) return false;
  return true;
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
