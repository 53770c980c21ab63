/**
 * String functions as AlaSQL 4.6.6 compiles them (stdlib/stdfn). Most return undefined for an
 * undefined argument but throw a TypeError for null or for a value without the string method
 * (`TRIM(5)`, `LEN(NULL)`), which Harper reports as a failed search.
 */
import { randomUUID } from "node:crypto";
import type { FunctionTable, ScalarFunction } from "./index.js";
import { invoke, member } from "./js-semantics.js";

/** AlaSQL's `und()` wrapper: undefined stays undefined, anything else goes through `body`. */
function unlessUndefined(body: (value: unknown) => unknown): ScalarFunction {
  return ([value]) => (value === undefined ? undefined : body(value));
}

const upper = unlessUndefined((v) => String(v).toUpperCase());
const lower = unlessUndefined((v) => String(v).toLowerCase());
const length = unlessUndefined((v) => member(v, "length"));

/** SUBSTRING(s, pos[, len]): 1-based, through String#substr; other arities give undefined. */
const substring: ScalarFunction = (args) => {
  const [s, start, count] = args;
  if (args.length === 2) return s === undefined ? undefined : invoke(s, "substr", (start as number) - 1);
  if (args.length === 3) return s === undefined ? undefined : invoke(s, "substr", (start as number) - 1, count);
  return undefined;
};

/** String functions keyed by SQL name. */
export const stringFunctions: FunctionTable = {
  UPPER: upper,
  UCASE: upper,
  LOWER: lower,
  LCASE: lower,
  LEN: length,
  LENGTH: length,
  SUBSTRING: substring,
  SUBSTR: substring,
  MID: substring,
  TRIM: unlessUndefined((v) => invoke(v, "trim")),
  LTRIM: unlessUndefined((v) => invoke(v, "replace", /^[ ]+/, "")),
  RTRIM: unlessUndefined((v) => invoke(v, "replace", /[ ]+$/, "")),
  /** 1-based position, 0 when absent. */
  INSTR: ([s, sub]) => (invoke(s, "indexOf", sub) as number) + 1,
  /** Array#join: null and undefined become empty strings. */
  CONCAT: (args) => args.join(""),
  CONCAT_WS: (args) => {
    const kept = args.filter((x) => x !== null && x !== undefined);
    return kept.slice(1).join((kept[0] as string) || "");
  },
  /** Every occurrence, via split/join; a falsy target counts as "". */
  REPLACE: ([target, pattern, replacement]) => invoke(invoke(target || "", "split", pattern), "join", replacement),
  REGEXP_LIKE: ([value, pattern, flags]) => (invoke(value || "", "search", RegExp(pattern as string, flags as string | undefined)) as number) > -1,
  CHAR: (args) => String.fromCharCode(...(args as number[])),
  ASCII: ([s]) => invoke(s, "charCodeAt", 0),
  UUID: () => randomUUID(),
  NEWID: () => randomUUID(),
  GEN_RANDOM_UUID: () => randomUUID(),
  USER: () => "alasql",
};
