/**
 * Conditional functions as AlaSQL 4.6.6 compiles them. IF is parsed as IIF; both are eager here
 * (the executor has already evaluated every argument).
 */
import type { FunctionTable, ScalarFunction } from "./index.js";

/** IIF(cond, a, b) / IF(cond, a, b): JavaScript truthiness; any other arity is an error, as in AlaSQL. */
const iif: ScalarFunction = (args) => {
  if (args.length !== 3) throw new Error("Number of arguments of IFF is not equals to 3");
  return args[0] ? args[1] : args[2];
};

/** NULLIF(a, b): undefined (key omitted) when `a == b` (loose equality), else a. AlaSQL's ISNULL is the same function. */
const nullif: ScalarFunction = ([a, b]) => (a == b ? undefined : a);

/** Conditional functions keyed by SQL name. */
export const conditionalFunctions: FunctionTable = {
  IIF: iif,
  IF: iif,
  /** IFNULL(x, alt): alt when x is null or undefined. */
  IFNULL: ([a, b]) => (a === undefined || a === null ? b : a),
  NULLIF: nullif,
  ISNULL: nullif,
  /** COALESCE(x, ...): first argument that is not null, undefined or NaN; undefined if none. */
  COALESCE: (args) => {
    for (const value of args) {
      if (value === null || value === undefined) continue;
      if (typeof value === "number" && Number.isNaN(value)) continue;
      return value;
    }
    return undefined;
  },
};
