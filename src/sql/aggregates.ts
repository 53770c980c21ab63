/**
 * Aggregate functions (spec sql.md §4.6), reproducing what AlaSQL 4.6.6 compiles for a GROUP BY
 * (a first-row "stage 1" that creates the group's value, a "stage 2" per further row, a final
 * "stage 3"), plus Harper's MEDIAN, MEAN, MODE, MAD and PROD, which hand the group's non-null
 * values to mathjs. Quirks kept on purpose: MIN/MAX ignore strings (`MIN(dog_name)` is null), SUM
 * and AVG use JavaScript `+`, GROUP_CONCAT joins with "," and prints null as "null", DISTINCT
 * compares values by their property-key string (5 and "5" are the same value).
 */
import { jsAdd, propertyKey } from "./functions/js-semantics.js";

/** One group's running aggregate. */
export interface Accumulator {
  add(value: unknown): void;
  result(): unknown;
}

/** An aggregate as AlaSQL stages it. */
interface Aggregate<S> {
  /** The state made from the group's first value. */
  start(value: unknown): S;
  /** The state after one more value. */
  step(state: S, value: unknown): S;
  /** The answer from a state. */
  finish(state: S): unknown;
  /** The answer when the query has no rows at all (no GROUP BY). */
  readonly empty: unknown;
}

function define<S>(aggregate: Aggregate<S>): Aggregate<unknown> {
  return aggregate as Aggregate<unknown>;
}

const identity = <T>(state: T): T => state;

// ---- AlaSQL's built-in aggregators ----

const count = define<number>({
  start: (v) => (v === undefined || v === null ? 0 : 1),
  step: (n, v) => (v === undefined || v === null ? n : n + 1),
  finish: identity,
  empty: 0,
});

const sum = define<unknown>({
  start: (v) => (v || typeof v === "number" ? v : null),
  step: (g, v) => {
    if (g == null && v == null) return null;
    const tg = typeof g;
    const tv = typeof v;
    if (
      (tg !== "object" && tg !== "number" && tv !== "object" && tv !== "number") ||
      ((g == null || (tg !== "number" && tg !== "object")) && (v == null || (tv !== "number" && tv !== "object")))
    ) {
      return null;
    }
    if (tg !== "object" && tg !== "number" && tv === "number") return v;
    if (tg === "number" && v == null) return g;
    if (g == null && tv === "number") return v;
    return jsAdd(g, v || 0);
  },
  finish: identity,
  empty: 0,
});

const total = define<unknown>({
  start: (v) => (v || typeof v === "number" ? v : typeof v === "boolean" ? Number(v) : 0),
  step: (g, v) => {
    if (typeof g === "string" && !isNaN(g as unknown as number) && typeof v === "string" && !isNaN(v as unknown as number)) return Number(g) + Number(v);
    if (typeof g === "string" && typeof v === "string") return 0;
    if (typeof g === "string" && typeof v === "number") return v;
    if (typeof v === "string" && typeof g === "number") return g;
    return jsAdd(g, v || 0);
  },
  finish: identity,
  empty: 0,
});

/** MIN/MAX's first value: numbers and objects are kept, strings, booleans and missing become null. */
function extremeStart(v: unknown): unknown {
  if (typeof v === "number" || typeof v === "bigint") return v;
  return typeof v === "object" && v !== null ? v : null;
}

/** MIN/MAX's step, exactly as AlaSQL compiles it (including its truthiness tests, so a 0 can be skipped). */
function extremeStep(g: unknown, v: unknown, better: (candidate: unknown, current: unknown) => boolean): unknown {
  let y: unknown;
  let take: unknown;
  if (g == null && v !== null) {
    y = v;
    take = v;
  } else if (g !== null && v == null) {
    y = g;
    take = g;
  } else {
    y = v;
    take = better(v, g);
  }
  if (take) {
    if (typeof y === "number" || typeof y === "bigint") return y;
    if (y instanceof Date) return y;
    if (typeof y === "object") return Number(y);
    return g;
  }
  if (g !== null && typeof g === "object" && y instanceof Date) return g;
  if (g !== null && typeof g === "object") return Number(g);
  return g;
}

const min = define<unknown>({
  start: extremeStart,
  step: (g, v) => extremeStep(g, v, (a, b) => (a as number) < (b as number)),
  finish: identity,
  empty: undefined,
});

const max = define<unknown>({
  start: extremeStart,
  step: (g, v) => extremeStep(g, v, (a, b) => (a as number) > (b as number)),
  finish: identity,
  empty: undefined,
});

/** AVG: the first value itself while there is one row, then running sum / count of non-null values. */
const avg = define<{ value: unknown; sum: unknown; count: number }>({
  start: (v) => ({ value: v, sum: v || 0, count: v === undefined || v === null ? 0 : 1 }),
  step: (s, v) => {
    s.count += v === undefined || v === null ? 0 : 1;
    s.sum = jsAdd(s.sum, v || 0);
    s.value = (s.sum as number) / s.count;
    return s;
  },
  finish: (s) => s.value,
  empty: undefined,
});

const first = define<unknown>({ start: identity, step: (g) => g, finish: identity, empty: undefined });
const last = define<unknown>({ start: identity, step: (_g, v) => v, finish: identity, empty: undefined });

/** ARRAY(x): every value, null and undefined included. */
const array = define<unknown[]>({
  start: (v) => [v],
  step: (values, v) => {
    values.push(v);
    return values;
  },
  finish: identity,
  empty: undefined,
});

// ---- AlaSQL's alasql.aggr functions (reached through REDUCE) ----

/** GROUP_CONCAT(x): `"" + v` joined with ",". */
const groupConcat = define<string>({
  start: (v) => "" + (v as string),
  step: (s, v) => s + "," + (v as string),
  finish: identity,
  empty: undefined,
});

/** QUART/QUART2/QUART3: AlaSQL's quartile of the non-null values (an empty array when there are none). */
function quartile(nth: number): Aggregate<unknown> {
  return define<unknown[]>({
    start: (v) => (v === null ? [] : [v]),
    step: (values, v) => {
      if (v !== null) values.push(v);
      return values;
    },
    finish: (values) => {
      if (!values.length) return values;
      const sorted = values.sort((a, b) => (a === b ? 0 : (a as number) > (b as number) ? 1 : -1));
      const p = (nth * (sorted.length + 1)) / 4;
      return Number.isInteger(p) ? sorted[p - 1] : sorted[Math.floor(p)];
    },
    empty: undefined,
  });
}

interface Moments {
  sum: unknown;
  sumSq: unknown;
  count: number;
}

const square = (v: unknown): number => (v as number) * (v as number);

/** AlaSQL's VAR state (sample variance; nulls skipped). */
const sampleMoments: Pick<Aggregate<Moments>, "start" | "step"> = {
  start: (v) => (v === null ? { sum: 0, sumSq: 0, count: 0 } : { sum: v, sumSq: square(v), count: 1 }),
  step: (s, v) => {
    if (v !== null) {
      s.sum = jsAdd(s.sum, v);
      s.sumSq = jsAdd(s.sumSq, square(v));
      s.count++;
    }
    return s;
  },
};

function sampleVariance(s: Moments): number {
  if (s.count > 1) return ((s.sumSq as number) - ((s.sum as number) * (s.sum as number)) / s.count) / (s.count - 1);
  return 0;
}

/** AlaSQL's VARP state (population variance; nulls not skipped). */
const populationMoments: Pick<Aggregate<Moments>, "start" | "step"> = {
  start: (v) => ({ count: 1, sum: v, sumSq: square(v) }),
  step: (s, v) => {
    s.count++;
    s.sum = jsAdd(s.sum, v);
    s.sumSq = jsAdd(s.sumSq, square(v));
    return s;
  },
};

function populationVariance(s: Moments): number {
  if (s.count > 0) {
    const mean = (s.sum as number) / s.count;
    return (s.sumSq as number) / s.count - mean * mean;
  }
  return 0;
}

const variance = define<Moments>({ ...sampleMoments, finish: sampleVariance, empty: undefined });
const stdev = define<Moments>({ ...sampleMoments, finish: (s) => Math.sqrt(sampleVariance(s)), empty: undefined });
const varp = define<Moments>({ ...populationMoments, finish: populationVariance, empty: undefined });
const stddev = define<Moments>({ ...populationMoments, finish: (s) => Math.sqrt(populationVariance(s)), empty: undefined });

// ---- Harper's mathjs aggregates ----

/** mathjs's flatten: nested arrays become one list. */
function flatten(values: unknown[]): unknown[] {
  return values.flatMap((v) => (Array.isArray(v) ? flatten(v) : [v]));
}

/** mathjs's conversion of an argument to a number (booleans and numeric strings convert, the rest is an error). */
function mathNumber(value: unknown, fn: string): number {
  if (typeof value === "number") return value;
  if (typeof value === "boolean") return Number(value);
  if (typeof value === "string") {
    const n = Number(value);
    if (Number.isNaN(n)) throw new Error(`Cannot convert "${value}" to a number`);
    return n;
  }
  throw new TypeError(`Cannot calculate ${fn}, unexpected type of argument (value: ${String(value)})`);
}

function numbers(values: unknown[], fn: string): number[] {
  return flatten(values).map((v) => mathNumber(v, fn));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  return Number.isInteger(mid) ? (sorted[mid - 1]! + sorted[mid]!) / 2 : sorted[Math.floor(mid)]!;
}

/** mathjs's statistics over the group's values. */
const MATH: Readonly<Record<string, (values: unknown[]) => unknown>> = {
  MEDIAN: (values) => median(numbers(values, "median")),
  MEAN: (values) => {
    const ns = numbers(values, "mean");
    let total = ns[0]!;
    for (let i = 1; i < ns.length; i++) total += ns[i]!;
    return total / ns.length;
  },
  MAD: (values) => {
    const ns = numbers(values, "mad");
    const middle = median(ns);
    return median(ns.map((n) => Math.abs(n - middle)));
  },
  PROD: (values) => {
    const flat = flatten(values);
    // mathjs multiplies nothing for a single value: it comes back as is, a string converted.
    if (flat.length === 1) return typeof flat[0] === "string" ? mathNumber(flat[0], "prod") : flat[0];
    const ns = numbers(flat, "prod");
    let product = ns[0]!;
    for (let i = 1; i < ns.length; i++) product *= ns[i]!;
    return product;
  },
  /** Every most frequent value, in the order each reached the top count (mathjs). */
  MODE: (values) => {
    const counts = new Map<string, number>();
    let modes: unknown[] = [];
    let top = 0;
    for (const value of flatten(values)) {
      if (typeof value === "number" && Number.isNaN(value)) throw new Error("Cannot calculate mode of an array containing NaN values");
      if (typeof value === "object" && value !== null) throw new TypeError("Cannot calculate mode, unexpected type of argument");
      const key = propertyKey(value);
      const n = (counts.get(key) ?? 0) + 1;
      counts.set(key, n);
      if (n === top) modes.push(value);
      else if (n > top) {
        top = n;
        modes = [value];
      }
    }
    return modes;
  },
};

/** Harper's wrapper around a mathjs function: non-null values collected, null when there are none. */
function harperMath(fn: (values: unknown[]) => unknown): Aggregate<unknown> {
  return define<unknown[]>({
    start: (v) => (v == null ? [] : [v]),
    step: (values, v) => {
      if (v != null) values.push(v);
      return values;
    },
    finish: (values) => (values.length > 0 ? fn(values) : null),
    empty: null,
  });
}

/** Every aggregate by upper-case name. */
const AGGREGATES: ReadonlyMap<string, Aggregate<unknown>> = new Map<string, Aggregate<unknown>>([
  ["COUNT", count],
  ["SUM", sum],
  ["TOTAL", total],
  ["AVG", avg],
  ["MIN", min],
  ["MAX", max],
  ["FIRST", first],
  ["LAST", last],
  ["ARRAY", array],
  ["GROUP_CONCAT", groupConcat],
  ["REDUCE", groupConcat],
  ["QUART", quartile(1)],
  ["QUART2", quartile(2)],
  ["QUART3", quartile(3)],
  ["VAR", variance],
  ["STDEV", stdev],
  ["VARP", varp],
  ["STD", stddev],
  ["STDDEV", stddev],
  ["STDEVP", stddev],
  ...Object.entries(MATH).map(([name, fn]) => [name, harperMath(fn)] as const),
]);

/** Every name createAccumulator knows. */
export const aggregateNames: ReadonlySet<string> = new Set(AGGREGATES.keys());

/**
 * A fresh accumulator for one group, or undefined for a name that is not an aggregate.
 * name: AlaSQL's aggregatorid upper-cased (COUNT, SUM, AVG, MIN, MAX, FIRST, LAST, ARRAY, TOTAL),
 * or for AlaSQL's REDUCE aggregates their funcid upper-cased (GROUP_CONCAT, MEDIAN, MEAN, MODE, MAD,
 * PROD, QUART, QUART2, QUART3, VAR, STDEV, VARP, STD, STDDEV, STDEVP); a bare "REDUCE" is GROUP_CONCAT.
 * distinct: COUNT(DISTINCT x) etc.: after the first row, undefined values and values whose string
 * form was already seen are skipped. COUNT(*) is fed add(1) once per row.
 */
export function createAccumulator(name: string, distinct: boolean): Accumulator | undefined {
  const aggregate = AGGREGATES.get(name.toUpperCase());
  if (!aggregate) return undefined;
  let started = false;
  let state: unknown;
  const seen = distinct ? new Set<string>() : undefined;
  return {
    add(value) {
      if (!started) {
        started = true;
        state = aggregate.start(value);
        seen?.add(propertyKey(value));
        return;
      }
      if (seen) {
        if (value === undefined) return;
        const key = propertyKey(value);
        if (seen.has(key)) return;
        seen.add(key);
      }
      state = aggregate.step(state, value);
    },
    result() {
      return started ? aggregate.finish(state) : aggregate.empty;
    },
  };
}
