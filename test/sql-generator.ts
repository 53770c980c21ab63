/**
 * A seeded random generator of records and SELECT statements for the differential test of the
 * `sql` operation (test/sql-differential.test.ts). Everything is drawn from one PRNG per seed, so
 * a seed names the same data and the same statements on every run.
 *
 * Two tables, always written `diff.a` and `diff.b`:
 * - `a`: id (int pk), qty (int), score (int, null or missing), price (float), ratio (float, null or
 *   missing), word (string, mixed case), label (string, null or missing), flag (boolean, null or
 *   missing), meta (object {level: int, tag: string}, keys sometimes missing, null or missing).
 * - `b`: id (int pk), a_id (int, foreign key into a.id: mostly existing, some dangling, some null
 *   or missing), amount (int), weight (float, null or missing), note (string), kind (string, null
 *   or missing).
 *
 * Each column holds one type only (plus nulls), so no statement compares a number with a string.
 * The statements stay inside what HarperDB 4.7 runs as AlaSQL does (spec sql.md §4); what is kept
 * out, and why, is listed at generateSelects.
 */

import { mulberry32 } from "./random.js";
import type { Rng } from "./random.js";

export type { Rng };
export type Row = Record<string, unknown>;

const pick = <T>(rng: Rng, items: readonly T[]): T => {
  if (items.length === 0) throw new Error("pick from an empty list");
  return items[Math.floor(rng() * items.length)] as T;
};
const chance = (rng: Rng, p: number): boolean => rng() < p;
/** An integer in [low, high]. */
const int = (rng: Rng, low: number, high: number): number => low + Math.floor(rng() * (high - low + 1));
/** A float with two decimals in [low, high). */
const float2 = (rng: Rng, low: number, high: number): number => Math.round((low + rng() * (high - low)) * 100) / 100 + 0; // no -0
function shuffle<T>(rng: Rng, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}
/** `count` distinct integers from [low, high]. */
function distinctInts(rng: Rng, count: number, low: number, high: number): number[] {
  const seen = new Set<number>();
  while (seen.size < count) seen.add(int(rng, low, high));
  return [...seen];
}

// Vocabularies: letters and spaces only (no quote, no numeric-looking string, no 'true'/'false',
// which Harper converts in comparisons and IN lists), mixed case so LIKE's case insensitivity and
// the case-sensitive = and ORDER BY both show.
const words = [
  "apple", "Apple", "APPLE", "apricot", "banana", "Banana", "bandana", "cherry", "Cherry", "date", "Date",
  "fig", "Fig", "figure", "grape", "Grape", "kiwi", "lemon", "Lemon", "lime", "mango", "Mango", "melon",
  "pear", "Pear", "plum", "ice cream", "Ice Cream",
] as const;
const labels = ["red", "Red", "RED", "green", "Green", "blue", "Blue", "gray", "grey"] as const;
const kinds = ["alpha", "Alpha", "beta", "BETA", "gamma", "Gamma mu", "delta"] as const;
const tags = ["hot", "Hot", "cold", "warm", "WARM", "tepid"] as const;

/** The records as inserted: a missing attribute is an absent key, a null one a null value. */
export interface Dataset {
  a: Row[];
  b: Row[];
}

/** Sets `record[key]` to `make()`, or to null or leaves it out with the given chances. */
function maybe(rng: Rng, record: Row, key: string, nulls: number, missing: number, make: () => unknown): void {
  const roll = rng();
  if (roll < missing) return;
  record[key] = roll < missing + nulls ? null : make();
}

/** Seeded records for diff.a and diff.b, each list in a shuffled (insertion) order. */
export function generateData(seed: number, sizes: { a: number; b: number } = { a: 300, b: 400 }): Dataset {
  const rng = mulberry32(seed);
  const aIds = distinctInts(rng, sizes.a, 1, Math.floor(sizes.a * 1.4));
  const a = aIds.map((id): Row => {
    const record: Row = { id, qty: int(rng, 0, 100) };
    maybe(rng, record, "score", 0.08, 0.08, () => int(rng, -50, 150));
    record.price = float2(rng, 0, 500);
    maybe(rng, record, "ratio", 0.08, 0.07, () => float2(rng, -1, 1));
    record.word = pick(rng, words);
    maybe(rng, record, "label", 0.1, 0.1, () => pick(rng, labels));
    maybe(rng, record, "flag", 0.05, 0.05, () => chance(rng, 0.5));
    maybe(rng, record, "meta", 0.05, 0.1, () => {
      const meta: Row = {};
      if (!chance(rng, 0.1)) meta.level = int(rng, 0, 9);
      if (!chance(rng, 0.15)) meta.tag = pick(rng, tags);
      return meta;
    });
    return record;
  });
  const maxA = Math.max(...aIds);
  const bIds = distinctInts(rng, sizes.b, 1, Math.floor(sizes.b * 1.3));
  const b = bIds.map((id): Row => {
    const record: Row = { id };
    const roll = rng();
    if (roll < 0.04) {
      // a_id missing
    } else if (roll < 0.08) record.a_id = null;
    else if (roll < 0.2) record.a_id = int(rng, maxA + 1, maxA + 50); // dangling
    else record.a_id = pick(rng, aIds);
    record.amount = int(rng, -20, 200);
    maybe(rng, record, "weight", 0.07, 0.07, () => float2(rng, 0, 80));
    record.note = pick(rng, words);
    maybe(rng, record, "kind", 0.1, 0.1, () => pick(rng, kinds));
    return record;
  });
  return { a: shuffle(rng, a), b: shuffle(rng, b) };
}

// ---------------------------------------------------------------------------------------------
// Statements

/** One generated statement and how to compare its result. */
export interface GeneratedSelect {
  sql: string;
  /** The ORDER BY makes the order total: compare as a list (else as a multiset). */
  ordered: boolean;
  /** Result keys holding SUM/AVG values: compared with a tiny relative tolerance. */
  approx: string[];
  /** A `SELECT *`: the key order of `*` is the table's attribute order, so keys are compared unordered. */
  star: boolean;
  /** "single", "inner" or "left": which family the statement belongs to. */
  family: "single" | "inner" | "left";
}

type TableName = "a" | "b";
type ValueType = "int" | "float" | "string" | "bool" | "object";

interface Column {
  table: TableName;
  name: string;
  type: ValueType;
  nullable: boolean;
  /** For `meta->level`: the attribute holding the object, `name` being the key. */
  path?: string;
  /** Every value is > 0 (so a NULL among them still sorts first, see sortable). */
  positive?: boolean;
}

const columns: Record<TableName, Column[]> = {
  a: [
    { table: "a", name: "id", type: "int", nullable: false, positive: true },
    { table: "a", name: "qty", type: "int", nullable: false },
    { table: "a", name: "score", type: "int", nullable: true },
    { table: "a", name: "price", type: "float", nullable: false },
    { table: "a", name: "ratio", type: "float", nullable: true },
    { table: "a", name: "word", type: "string", nullable: false },
    { table: "a", name: "label", type: "string", nullable: true },
    { table: "a", name: "flag", type: "bool", nullable: true },
    { table: "a", name: "meta", type: "object", nullable: true },
    { table: "a", name: "level", type: "int", nullable: true, path: "meta" },
    { table: "a", name: "tag", type: "string", nullable: true, path: "meta" },
  ],
  b: [
    { table: "b", name: "id", type: "int", nullable: false, positive: true },
    { table: "b", name: "a_id", type: "int", nullable: true, positive: true },
    { table: "b", name: "amount", type: "int", nullable: false },
    { table: "b", name: "weight", type: "float", nullable: true },
    { table: "b", name: "note", type: "string", nullable: false },
    { table: "b", name: "kind", type: "string", nullable: true },
  ],
};

const isNumeric = (column: Column) => column.type === "int" || column.type === "float";

/** A table in a statement: its alias (or none) and whether its columns are written qualified. */
interface Source {
  table: TableName;
  alias?: string;
  qualified: boolean;
  /** The optional side of a LEFT JOIN: its columns are undefined on unmatched rows. */
  outer: boolean;
}

/** A column as it can be written in a statement. */
interface Ref {
  column: Column;
  source: Source;
  text: string;
}

/**
 * Whether ORDER BY on the column sorts as the spec says (NULL first ascending, last descending).
 * AlaSQL compares `(x || '')`, so NULL/undefined tie with 0 and false and sort after negative
 * numbers: a numeric or boolean key that can be NULL (or undefined, on the optional side of a LEFT
 * JOIN) is sortable only when its values are all > 0. Strings hold no empty string, so they are.
 */
function sortable(ref: Ref): boolean {
  const column = ref.column;
  if (column.type === "object") return false;
  if (column.type === "string") return true;
  return column.positive === true || (!column.nullable && !ref.source.outer);
}

function refOf(source: Source, column: Column): Ref {
  const prefix = source.qualified ? `${source.alias ?? `diff.${source.table}`}.` : "";
  const text = column.path ? `${prefix}${column.path}->${column.name}` : `${prefix}${column.name}`;
  return { column, source, text };
}

/** Non-null values of each column in the data, for literals that hit. */
type Domains = Map<string, unknown[]>;
const domainKey = (column: Column) => `${column.table}.${column.path ? `${column.path}->` : ""}${column.name}`;

function buildDomains(data: Dataset): Domains {
  const domains: Domains = new Map();
  for (const table of ["a", "b"] as const) {
    for (const column of columns[table]) {
      const values = new Set<unknown>();
      for (const record of data[table]) {
        let value: unknown = column.path ? record[column.path] : record[column.name];
        if (column.path) value = value && typeof value === "object" ? (value as Row)[column.name] : undefined;
        if (value !== null && value !== undefined && typeof value !== "object") values.add(value);
      }
      domains.set(domainKey(column), [...values].sort((x, y) => (x as number) - (y as number) || String(x).localeCompare(String(y))));
    }
  }
  return domains;
}

const quote = (rng: Rng, text: string) => (chance(rng, 0.05) ? `"${text}"` : `'${text}'`);

/** The generation state of one statement. */
class Builder {
  aliasCount = 0;
  approx: string[] = [];
  constructor(
    readonly rng: Rng,
    readonly domains: Domains,
    readonly sources: Source[],
  ) {}

  nextAlias(prefix: string): string {
    this.aliasCount += 1;
    return `${prefix}${this.aliasCount}`;
  }

  refs(filter: (ref: Ref) => boolean = () => true): Ref[] {
    return this.sources.flatMap((source) => columns[source.table].map((column) => refOf(source, column))).filter(filter);
  }

  /** A literal of the column's type: mostly a value present in the data. */
  literal(column: Column): string {
    const { rng } = this;
    const domain = this.domains.get(domainKey(column)) ?? [];
    switch (column.type) {
      case "int":
        return String(domain.length > 0 && chance(rng, 0.75) ? pick(rng, domain) : int(rng, -60, 220));
      case "float":
        return String(domain.length > 0 && chance(rng, 0.6) ? pick(rng, domain) : float2(rng, -2, 520));
      case "string": {
        const value = String(domain.length > 0 && chance(rng, 0.8) ? pick(rng, domain) : pick(rng, [...words, ...labels, ...kinds, ...tags]));
        const cased = chance(rng, 0.15) ? (chance(rng, 0.5) ? value.toUpperCase() : value.toLowerCase()) : value;
        return quote(rng, cased);
      }
      case "bool":
        return chance(rng, 0.5) ? "TRUE" : "FALSE";
      default:
        throw new Error(`no literal for ${column.type}`);
    }
  }

  /** A LIKE pattern built from a value of the column, in a random case. */
  likePattern(column: Column): string {
    const { rng } = this;
    const word = String(pick(rng, this.domains.get(domainKey(column)) ?? ["apple"]));
    const k = int(rng, 1, Math.max(1, word.length - 1));
    let pattern: string;
    switch (int(rng, 0, 6)) {
      case 0:
        pattern = `${word.slice(0, k)}%`;
        break;
      case 1:
        pattern = `%${word.slice(-k)}`;
        break;
      case 2: {
        const start = int(rng, 0, word.length - 1);
        pattern = `%${word.slice(start, start + int(rng, 1, 3))}%`;
        break;
      }
      case 3: {
        const chars = [...word];
        for (let n = int(rng, 1, 2); n > 0; n--) chars[int(rng, 0, chars.length - 1)] = "_";
        pattern = chars.join("");
        break;
      }
      case 4:
        pattern = `_${word.slice(1, k + 1)}%`;
        break;
      case 5:
        pattern = chance(rng, 0.5) ? "%" : `%${word.slice(0, 1)}%${word.slice(-1)}`;
        break;
      default:
        pattern = word;
    }
    const roll = rng();
    if (roll < 0.3) pattern = pattern.toUpperCase();
    else if (roll < 0.6) pattern = pattern.toLowerCase();
    return quote(rng, pattern);
  }

  // -- expressions --------------------------------------------------------------------------

  /**
   * A numeric expression over the given columns (JS arithmetic; a NULL operand gives undefined);
   * `nullable` when an operand can be NULL or undefined.
   */
  numericExpr(refs: Ref[]): { text: string; nullable: boolean } {
    const { rng } = this;
    const numeric = refs.filter((ref) => isNumeric(ref.column));
    const first = pick(rng, numeric);
    const smallInt = () => String(int(rng, 2, 9));
    const maybeNull = (...operands: Ref[]) => operands.some((ref) => ref.column.nullable || ref.source.outer);
    switch (int(rng, 0, 7)) {
      case 0:
      case 1: {
        const second = pick(rng, numeric);
        return { text: `${first.text} + ${second.text}`, nullable: maybeNull(first, second) };
      }
      case 2: {
        const second = pick(rng, numeric);
        return { text: `${first.text} - ${second.text}`, nullable: maybeNull(first, second) };
      }
      case 3:
        return { text: `${first.text} * ${chance(rng, 0.7) ? smallInt() : "1.5"}`, nullable: maybeNull(first) };
      case 4:
        return { text: `${first.text} / ${smallInt()}`, nullable: maybeNull(first) };
      case 5: {
        const ints = numeric.filter((ref) => ref.column.type === "int");
        const operand = pick(rng, ints.length > 0 ? ints : numeric);
        return { text: `${operand.text} % ${smallInt()}`, nullable: maybeNull(operand) };
      }
      case 6:
        return { text: `(${first.text} + ${int(rng, -10, 10)}) * ${smallInt()}`, nullable: maybeNull(first) };
      default:
        return { text: `${first.text} - ${int(rng, 1, 50)}`, nullable: maybeNull(first) };
    }
  }

  /** A string (or string-derived) expression over a non-null string column. */
  stringExpr(refs: Ref[]): { text: string; type: "string" | "int" } | undefined {
    const { rng } = this;
    const strings = refs.filter((ref) => ref.column.type === "string" && !ref.column.nullable && !ref.column.path);
    if (strings.length === 0) return undefined;
    const column = pick(rng, strings).text;
    switch (int(rng, 0, 4)) {
      case 0:
      case 1:
        return { text: `UPPER(${column})`, type: "string" };
      case 2:
        return { text: `LOWER(${column})`, type: "string" };
      case 3:
        return { text: `${column} || ${quote(rng, pick(rng, ["!", "-x", " y"]))}`, type: "string" };
      default:
        return { text: `LENGTH(${column})`, type: "int" };
    }
  }

  // -- predicates ---------------------------------------------------------------------------

  /**
   * A WHERE predicate. In a LEFT JOIN the optional side's columns appear only in IS [NOT] NULL
   * under a NOT, since Harper answers simple predicates from its indexes before AlaSQL runs and
   * the optional side then decides which rows stay unmatched.
   */
  predicate(depth: number, underNot: boolean): string {
    const { rng } = this;
    if (depth < 3 && chance(rng, depth === 0 ? 0.55 : 0.3)) {
      const roll = rng();
      if (roll < 0.18) return `NOT (${this.predicate(depth + 1, true)})`;
      const op = roll < 0.6 ? "AND" : "OR";
      const parts = Array.from({ length: int(rng, 2, 3) }, () => this.predicate(depth + 1, underNot));
      const joined = parts.join(` ${op} `);
      return depth === 0 ? joined : `(${joined})`;
    }
    return this.atom(underNot);
  }

  atom(underNot: boolean): string {
    const { rng } = this;
    const all = this.refs((ref) => ref.column.type !== "object");
    const usable = all.filter((ref) => !(ref.source.outer && underNot));
    const roll = rng();
    // IS [NOT] NULL: nullable columns, and every column of the optional side of a LEFT JOIN
    if (roll < 0.1) {
      const candidates = all.filter((ref) => ref.column.nullable || ref.source.outer);
      const ref = pick(rng, candidates.length > 0 ? candidates : all);
      return `${ref.text} IS ${chance(rng, 0.5) ? "NOT " : ""}NULL`;
    }
    const ref = pick(rng, usable);
    const column = ref.column;
    if (roll < 0.42) {
      // comparison with a literal
      if (column.type === "bool") return `${ref.text} ${pick(rng, ["=", "=", "<>", "!="])} ${this.literal(column)}`;
      return `${ref.text} ${pick(rng, ["=", "=", "<>", "!=", "<", ">", "<=", ">="])} ${this.literal(column)}`;
    }
    if (roll < 0.52) {
      // IN / NOT IN
      if (column.type === "bool" || column.type === "float") return `${ref.text} = ${this.literal(column)}`;
      // No negative numbers in the list: AlaSQL 4.6.6 caches IN lists by each item's `.value`,
      // which a unary minus lacks, so `IN (-37)` never matches there (and in Harper); harper-ops
      // matches it.
      const items = Array.from({ length: int(rng, 1, 4) }, () => this.literal(column).replace(/^-(\d)/, "$1"));
      return `${ref.text} ${chance(rng, 0.3) ? "NOT IN" : "IN"} (${items.join(", ")})`;
    }
    if (roll < 0.62) {
      // BETWEEN / NOT BETWEEN
      if (column.type === "bool") return `${ref.text} = ${this.literal(column)}`;
      const domain = this.domains.get(domainKey(column)) ?? [];
      let low: string;
      let high: string;
      if (column.type === "string" && domain.length > 1) {
        const i = int(rng, 0, domain.length - 1);
        const j = int(rng, i, Math.min(domain.length - 1, i + 6));
        low = quote(rng, String(domain[i]));
        high = quote(rng, String(domain[j]));
        if (chance(rng, 0.1)) [low, high] = [high, low];
      } else if (column.type === "string") {
        low = this.literal(column);
        high = this.literal(column);
      } else {
        const x = Number(this.literal(column));
        const y = Number(this.literal(column));
        [low, high] = x <= y || chance(rng, 0.1) ? [String(x), String(y)] : [String(y), String(x)];
      }
      return `${ref.text} ${chance(rng, 0.25) ? "NOT BETWEEN" : "BETWEEN"} ${low} AND ${high}`;
    }
    if (roll < 0.76) {
      // LIKE / NOT LIKE on a string column
      const strings = usable.filter((candidate) => candidate.column.type === "string");
      if (strings.length === 0) return `${ref.text} IS NOT NULL`;
      const target = pick(rng, strings);
      return `${target.text} ${chance(rng, 0.25) ? "NOT LIKE" : "LIKE"} ${this.likePattern(target.column)}`;
    }
    if (roll < 0.84) {
      // column against column of the same type
      const numeric = usable.filter((candidate) => isNumeric(candidate.column));
      const left = pick(rng, numeric);
      const right = pick(rng, numeric.filter((candidate) => candidate.text !== left.text));
      return `${left.text} ${pick(rng, ["=", "<>", "<", ">", "<=", ">="])} ${right.text}`;
    }
    if (roll < 0.93) {
      // arithmetic against a literal
      const numeric = usable.filter((candidate) => isNumeric(candidate.column));
      const expression = this.numericExpr(numeric).text;
      return `${expression} ${pick(rng, ["<", ">", "<=", ">=", "<>"])} ${int(rng, -50, 400)}`;
    }
    // a string function against a literal
    const expression = this.stringExpr(usable);
    if (!expression) return `${ref.text} IS NULL`;
    if (expression.type === "int") return `${expression.text} ${pick(rng, ["=", ">", "<="])} ${int(rng, 3, 8)}`;
    const value = String(pick(rng, [...words, ...kinds]));
    const literal = expression.text.startsWith("LOWER") ? value.toLowerCase() : expression.text.startsWith("UPPER") ? value.toUpperCase() : value;
    return `${expression.text} ${pick(rng, ["=", "<>", "<", ">="])} ${quote(rng, literal)}`;
  }

  /** `ORDER BY` text for the keys, each ASC, DESC or bare. */
  orderBy(keys: string[]): string {
    return keys.map((key) => `${key}${pick(this.rng, ["", " ASC", " DESC"])}`).join(", ");
  }

  /** ` LIMIT n [OFFSET m]` or nothing. */
  paging(probability: number): string {
    const { rng } = this;
    if (!chance(rng, probability)) return "";
    // Not 0: AlaSQL 4.6.6 ignores LIMIT 0 (its test is falsy) and answers every row; harper-ops
    // answers none.
    const limit = int(rng, 1, 25);
    return chance(rng, 0.4) ? ` LIMIT ${limit} OFFSET ${int(rng, 0, 30)}` : ` LIMIT ${limit}`;
  }
}

/**
 * An aggregate item: whether its value is exact (comparable in HAVING), whether it is exact and
 * never NULL nor negative-with-NULLs (a sortable ORDER BY key), whether it is SUM/AVG (tolerance).
 */
interface Aggregate {
  text: string;
  alias: string;
  exact: boolean;
  sortable: boolean;
  approx: boolean;
}

/** `count` aggregates with distinct texts (Harper collapses a repeated aggregate into one key). */
function aggregates(builder: Builder, refs: Ref[], countOnly: Ref[], count: number): Aggregate[] {
  const items: Aggregate[] = [];
  for (let tries = 0; items.length < count && tries < count * 5; tries++) {
    const item = aggregate(builder, refs, countOnly);
    if (!items.some((other) => other.text === item.text)) items.push(item);
  }
  return items;
}

function aggregate(builder: Builder, refs: Ref[], countOnly: Ref[]): Aggregate {
  const { rng } = builder;
  const alias = builder.nextAlias("agg");
  const numeric = refs.filter((ref) => isNumeric(ref.column) && !ref.column.path);
  const roll = rng();
  if (roll < 0.2) return { text: "COUNT(*)", alias, exact: true, sortable: true, approx: false };
  if (roll < 0.32) {
    const ref = pick(rng, [...refs, ...countOnly].filter((candidate) => !candidate.column.path));
    return { text: `COUNT(${ref.text})`, alias, exact: true, sortable: true, approx: false };
  }
  if (roll < 0.38) {
    const ref = pick(rng, [...refs, ...countOnly].filter((candidate) => !candidate.column.path && candidate.column.type !== "object"));
    return { text: `COUNT(DISTINCT ${ref.text})`, alias, exact: true, sortable: true, approx: false };
  }
  // MIN/MAX only where no NULL meets a 0: AlaSQL 4.6.6 loses a 0 that follows a NULL in a group
  // (`y = 0` is falsy in its MIN/MAX step), so the result would depend on the row order.
  const fn = pick(rng, ["SUM", "AVG", "MIN", "MAX"]);
  const operands = fn === "MIN" || fn === "MAX" ? numeric.filter((ref) => sortable(ref)) : numeric;
  const ref = pick(rng, operands.length > 0 ? operands : numeric);
  const exact = fn === "MIN" || fn === "MAX" || (fn === "SUM" && ref.column.type === "int");
  return { text: `${fn}(${ref.text})`, alias, exact, sortable: exact && sortable(ref), approx: fn === "SUM" || fn === "AVG" };
}

/** A HAVING condition on one of the selected exact aggregates (repeated, as Harper wants). */
function having(builder: Builder, aggregates: Aggregate[]): string {
  const { rng } = builder;
  const exact = aggregates.filter((item) => item.exact);
  if (exact.length === 0) return "";
  const conditions = Array.from({ length: chance(rng, 0.2) ? 2 : 1 }, () => {
    const item = pick(rng, exact);
    const bound = item.text.startsWith("COUNT") ? int(rng, 0, 12) : int(rng, -20, 300);
    return `${item.text} ${pick(rng, ["=", "<>", "<", ">", "<=", ">="])} ${bound}`;
  });
  return ` HAVING ${conditions.join(pick(rng, [" AND ", " OR "]))}`;
}

/** The tables of a single-table statement. */
/**
 * SELECT DISTINCT over one to three plain, non-float columns that `usable` keeps, ordered (and
 * paged) when they all sort.
 */
function distinctStatement(builder: Builder, rng: Rng, fromWhere: string, usable: (ref: Ref) => boolean, family: GeneratedSelect["family"]): GeneratedSelect {
  const candidates = builder.refs((ref) => usable(ref) && ref.column.type !== "object" && !ref.column.path && ref.column.name !== "id" && ref.column.type !== "float");
  const picked = shuffle(rng, [...candidates]).slice(0, int(rng, 1, 3));
  let sql = `SELECT DISTINCT ${picked.map((ref) => ref.text).join(", ")} FROM ${fromWhere}`;
  let ordered = false;
  if (picked.every(sortable) && chance(rng, 0.7)) {
    sql += ` ORDER BY ${builder.orderBy(shuffle(rng, picked.map((ref) => ref.text)))}${builder.paging(0.4)}`;
    ordered = true;
  }
  return { sql, ordered, approx: [], star: false, family };
}

function singleSource(rng: Rng): Source {
  const table: TableName = chance(rng, 0.75) ? "a" : "b";
  const roll = rng();
  if (roll < 0.5) return { table, qualified: false, outer: false };
  const alias = pick(rng, ["t", "x", table, "src"]);
  return { table, alias, qualified: chance(rng, 0.7), outer: false };
}
const fromText = (source: Source, rng: Rng) =>
  source.alias ? `diff.${source.table}${chance(rng, 0.7) ? " AS" : ""} ${source.alias}` : `diff.${source.table}`;

function singleStatement(rng: Rng, domains: Domains): GeneratedSelect {
  const source = singleSource(rng);
  const builder = new Builder(rng, domains, [source]);
  const from = fromText(source, rng);
  const where = () => (chance(rng, 0.85) ? ` WHERE ${builder.predicate(0, false)}` : "");
  const idText = refOf(source, columns[source.table][0] as Column).text;
  const shape = rng();

  if (shape < 0.06) {
    // SELECT * with a total order, so LIMIT can cut it
    const sql = `SELECT * FROM ${from}${where()} ORDER BY ${idText}${chance(rng, 0.3) ? " DESC" : ""}${builder.paging(0.6)}`;
    return { sql, ordered: true, approx: [], star: true, family: "single" };
  }
  if (shape < 0.16) {
    // aggregates over the whole table (one row; over no rows MIN/MAX/AVG keys are omitted)
    const refs = builder.refs((ref) => ref.column.type !== "object");
    const items = aggregates(builder, refs, [], int(rng, 1, 4));
    const sql = `SELECT ${items.map((item) => `${item.text} AS ${item.alias}`).join(", ")} FROM ${from}${where()}`;
    return { sql, ordered: false, approx: items.filter((item) => item.approx).map((item) => item.alias), star: false, family: "single" };
  }
  if (shape < 0.42) {
    // GROUP BY: every group column selected, every selected plain column grouped
    const groupable = builder.refs((ref) => ref.column.type !== "object" && ref.column.type !== "float" && !ref.column.path && ref.column.name !== "id");
    const groups: Array<{ select: string; group: string; order: string; sortable: boolean }> = [];
    if (chance(rng, 0.15)) {
      const expression = builder.stringExpr(builder.refs());
      if (expression && expression.type === "string") {
        const alias = builder.nextAlias("g");
        groups.push({ select: `${expression.text} AS ${alias}`, group: expression.text, order: alias, sortable: true });
      }
    }
    if (groups.length === 0) {
      const count = chance(rng, 0.35) ? 2 : 1;
      for (const ref of shuffle(rng, [...groupable]).slice(0, count)) {
        groups.push({ select: ref.text, group: ref.text, order: ref.text, sortable: sortable(ref) });
      }
    }
    const refs = builder.refs((ref) => ref.column.type !== "object");
    const items = aggregates(builder, refs, [], int(rng, 1, 3));
    const selectList = [...groups.map((group) => group.select), ...items.map((item) => `${item.text} AS ${item.alias}`)];
    let sql = `SELECT ${shuffle(rng, selectList).join(", ")} FROM ${from}${where()} GROUP BY ${groups.map((group) => group.group).join(", ")}`;
    if (chance(rng, 0.3)) sql += having(builder, items);
    let ordered = false;
    if (groups.every((group) => group.sortable) && chance(rng, 0.75)) {
      const keyed = items.filter((item) => item.sortable);
      const keys = keyed.length > 0 && chance(rng, 0.4) ? [pick(rng, keyed).alias] : [];
      sql += ` ORDER BY ${builder.orderBy([...keys, ...groups.map((group) => group.order)])}${builder.paging(0.4)}`;
      ordered = true;
    }
    return { sql, ordered, approx: items.filter((item) => item.approx).map((item) => item.alias), star: false, family: "single" };
  }
  if (shape < 0.54) {
    // DISTINCT over plain columns
    return distinctStatement(builder, rng, `${from}${where()}`, () => true, "single");
  }
  // plain columns and aliased expressions
  const plain = builder.refs((ref) => !ref.column.path);
  const picked = shuffle(rng, [...plain]).slice(0, int(rng, 1, 4));
  if (!picked.some((ref) => ref.column.name === "id") && chance(rng, 0.6)) picked.unshift(refOf(source, columns[source.table][0] as Column));
  const items = picked.map((ref) => ({ text: ref.text, key: ref.text }));
  const computed = computedItems(builder, builder.refs());
  for (const item of computed) items.push({ text: `${item.text} AS ${item.alias}`, key: item.alias });
  let sql = `SELECT ${shuffle(rng, items).map((item) => item.text).join(", ")} FROM ${from}${where()}`;
  let ordered = false;
  if (chance(rng, 0.65)) {
    const keys = orderKeys(builder, computed);
    if (chance(rng, 0.85)) {
      keys.push(idText);
      ordered = true;
    }
    if (keys.length === 0) keys.push(refOf(source, pick(rng, columns[source.table].filter((column) => !column.path && column.type !== "object"))).text);
    sql += ` ORDER BY ${builder.orderBy(keys)}${ordered ? builder.paging(0.5) : ""}`;
  }
  return { sql, ordered, approx: [], star: false, family: "single" };
}

/** 0 to 2 aliased computed columns over `refs`: arithmetic, string functions, `x->y`. */
function computedItems(builder: Builder, refs: Ref[]): Array<{ text: string; alias: string; sortable: boolean }> {
  const { rng } = builder;
  const items: Array<{ text: string; alias: string; sortable: boolean }> = [];
  for (let n = int(rng, 0, 2); n > 0; n--) {
    const alias = builder.nextAlias("e");
    const roll = rng();
    const paths = refs.filter((ref) => ref.column.path !== undefined);
    const text = roll >= 0.5 && roll < 0.8 ? builder.stringExpr(refs)?.text : undefined;
    if (text) items.push({ text, alias, sortable: true });
    else if (roll >= 0.8 && paths.length > 0) {
      const path = pick(rng, paths);
      items.push({ text: path.text, alias, sortable: sortable(path) });
    } else {
      const expression = builder.numericExpr(refs);
      items.push({ text: expression.text, alias, sortable: !expression.nullable });
    }
  }
  return items;
}

/**
 * 0 to 2 ORDER BY keys that sort as the spec says: columns (selected or not) and computed aliases
 * that are sortable; a following primary key makes the order total.
 */
function orderKeys(builder: Builder, computed: Array<{ alias: string; sortable: boolean }>): string[] {
  const candidates = [
    ...builder.refs((ref) => sortable(ref) && !ref.column.path && ref.column.name !== "id").map((ref) => ref.text),
    ...computed.filter((item) => item.sortable).map((item) => item.alias),
  ];
  return shuffle(builder.rng, candidates).slice(0, int(builder.rng, 0, 2));
}

const aliasPairs: ReadonlyArray<[string, string]> = [
  ["a", "b"],
  ["x", "y"],
  ["ta", "tb"],
  ["p", "c"],
];

function joinStatement(rng: Rng, domains: Domains): GeneratedSelect {
  const left = chance(rng, 0.5);
  const family = left ? "left" : "inner";
  const [aliasA, aliasB] = pick(rng, aliasPairs);
  const aFirst = chance(rng, 0.7);
  const first: Source = { table: aFirst ? "a" : "b", alias: aFirst ? aliasA : aliasB, qualified: true, outer: false };
  const second: Source = { table: aFirst ? "b" : "a", alias: aFirst ? aliasB : aliasA, qualified: true, outer: left };
  const sourceA = aFirst ? first : second;
  const sourceB = aFirst ? second : first;
  const builder = new Builder(rng, domains, [first, second]);
  const keyword = left ? pick(rng, ["LEFT JOIN", "LEFT OUTER JOIN"]) : pick(rng, ["INNER JOIN", "JOIN"]);
  const as = () => (chance(rng, 0.8) ? " AS " : " ");
  const on = chance(rng, 0.5) ? `${sourceB.alias}.a_id = ${sourceA.alias}.id` : `${sourceA.alias}.id = ${sourceB.alias}.a_id`;
  const from = `diff.${first.table}${as()}${first.alias} ${keyword} diff.${second.table}${as()}${second.alias} ON ${on}`;
  const where = () => (chance(rng, 0.8) ? ` WHERE ${builder.predicate(0, false)}` : "");
  const firstId = `${first.alias}.id`;
  const secondId = `${second.alias}.id`;
  // Columns computed over or aggregated from the optional side of a LEFT JOIN are kept out: their
  // undefined (unmatched) values turn into null or vanish depending on where Harper converts them.
  const inner = (ref: Ref) => !ref.source.outer;
  const shape = rng();

  if (shape < 0.35) {
    // GROUP BY over the joined rows
    const groupable = builder.refs(
      (ref) => inner(ref) && ref.column.type !== "object" && ref.column.type !== "float" && !ref.column.path && ref.column.name !== "id" && ref.column.name !== "a_id",
    );
    const groups = shuffle(rng, [...groupable]).slice(0, chance(rng, 0.35) ? 2 : 1);
    const refs = builder.refs((ref) => inner(ref) && ref.column.type !== "object");
    const countOnly = builder.refs((ref) => ref.source.outer && ref.column.type !== "object");
    const items = aggregates(builder, refs, countOnly, int(rng, 1, 3));
    const selectList = [...groups.map((ref) => ref.text), ...items.map((item) => `${item.text} AS ${item.alias}`)];
    let sql = `SELECT ${shuffle(rng, selectList).join(", ")} FROM ${from}${where()} GROUP BY ${groups.map((ref) => ref.text).join(", ")}`;
    if (chance(rng, 0.25)) sql += having(builder, items);
    let ordered = false;
    if (groups.every(sortable) && chance(rng, 0.7)) {
      const keyed = items.filter((item) => item.sortable);
      const keys = keyed.length > 0 && chance(rng, 0.4) ? [pick(rng, keyed).alias] : [];
      sql += ` ORDER BY ${builder.orderBy([...keys, ...groups.map((ref) => ref.text)])}${builder.paging(0.4)}`;
      ordered = true;
    }
    return { sql, ordered, approx: items.filter((item) => item.approx).map((item) => item.alias), star: false, family };
  }
  if (shape < 0.45) {
    // DISTINCT (optional-side columns kept out: null and undefined would be two rows)
    return distinctStatement(builder, rng, `${from}${where()}`, inner, family);
  }
  if (shape < 0.52) {
    // COUNT over the join (no GROUP BY)
    const refs = builder.refs((ref) => inner(ref) && ref.column.type !== "object");
    const countOnly = builder.refs((ref) => ref.source.outer && ref.column.type !== "object");
    const items = aggregates(builder, refs, countOnly, int(rng, 1, 3));
    const sql = `SELECT ${items.map((item) => `${item.text} AS ${item.alias}`).join(", ")} FROM ${from}${where()}`;
    return { sql, ordered: false, approx: items.filter((item) => item.approx).map((item) => item.alias), star: false, family };
  }
  // plain columns (the two ids aliased, the other names are unique across a and b) and expressions
  const items: string[] = [`${firstId} AS ${first.table}id`];
  if (chance(rng, 0.8)) items.push(`${secondId} AS ${second.table}id`);
  const plain = builder.refs((ref) => !ref.column.path && ref.column.name !== "id");
  for (const ref of shuffle(rng, [...plain]).slice(0, int(rng, 1, 4))) items.push(ref.text);
  const computed = computedItems(builder, builder.refs(inner));
  for (const item of computed) items.push(`${item.text} AS ${item.alias}`);
  let sql = `SELECT ${shuffle(rng, items).join(", ")} FROM ${from}${where()}`;
  let ordered = false;
  if (chance(rng, 0.7)) {
    const keys = orderKeys(builder, computed);
    if (chance(rng, 0.85)) {
      // first.id then second.id is unique per joined row (second.id is undefined only once per first.id)
      keys.push(chance(rng, 0.5) ? firstId : `${first.table}id`);
      keys.push(secondId);
      ordered = true;
    }
    if (keys.length === 0) keys.push(secondId); // not total: compared as a multiset
    sql += ` ORDER BY ${builder.orderBy(keys)}${ordered ? builder.paging(0.5) : ""}`;
  }
  return { sql, ordered, approx: [], star: false, family };
}

/**
 * `count` seeded SELECT statements over diff.a / diff.b, single-table ("single") or joins of a and
 * b ON b.a_id = a.id ("join": INNER and LEFT, either table first).
 *
 * Kept out, because Harper 4.7 and plain AlaSQL 4.6.6 differ there or Harper breaks (spec sql.md):
 * MIN/MAX/SUM/AVG on strings (Harper: null); unaliased computed columns and aggregates (Harper names
 * them "undefined"); ORDER BY a function or an ordinal; sub-queries, UNION, CASE, comma joins; quotes
 * inside string literals; 'true'/'false' and numeric-looking strings as literals (Harper converts
 * them); an alias in HAVING; `SELECT *` over a join (`id1`, `__createdtime__1` names) or next to
 * other items; unqualified columns in joins (ambiguous `id`); LIMIT/OFFSET without a total order;
 * UPPER/LOWER/|| on nullable strings (AlaSQL turns a stored null into "NULL" but skips an undefined);
 * in a LEFT JOIN, expressions, aggregates (but COUNT), GROUP BY and DISTINCT on the optional side,
 * and its columns under NOT in WHERE (Harper's index pre-filter decides which rows stay unmatched).
 */
export function generateSelects(seed: number, data: Dataset, count: number, kind: "single" | "join"): GeneratedSelect[] {
  const rng = mulberry32(seed);
  const domains = buildDomains(data);
  return Array.from({ length: count }, () => (kind === "single" ? singleStatement(rng, domains) : joinStatement(rng, domains)));
}
