/**
 * JSON functions Harper registers: SEARCH_JSON (a JSONata expression evaluated against a value)
 * and DISTINCT_ARRAY (an array without deep-equal duplicates).
 */
import jsonata from "jsonata";
import type { FunctionTable } from "./index.js";

/** Compiled JSONata expressions, most recently used last. */
const compiled = new Map<string, jsonata.Expression>();
const MAX_COMPILED = 256;

function expressionFor(text: string): jsonata.Expression {
  let expression = compiled.get(text);
  if (expression) {
    compiled.delete(text);
  } else {
    expression = jsonata(text);
    if (compiled.size >= MAX_COMPILED) compiled.delete(compiled.keys().next().value!);
  }
  compiled.set(text, expression);
  return expression;
}

/** JSONata throws plain objects ({code, message, ...}); the caller expects Errors. */
function asError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  const message = typeof thrown === "object" && thrown !== null && "message" in thrown ? String(thrown.message) : String(thrown);
  return new Error(message);
}

/** JSONata's result sequences are arrays with extra flags; hand back plain arrays and objects. */
function plain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = plain(item);
    return out;
  }
  return value;
}

/** lodash's isEqual for JSON values: same primitives (NaN equals NaN), arrays and plain objects compared deeply. */
function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b || (a !== a && b !== b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (a instanceof Date || b instanceof Date) return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = Object.keys(left);
  if (keys.length !== Object.keys(right).length) return false;
  return keys.every((key) => Object.hasOwn(right, key) && deepEqual(left[key], right[key]));
}

/** JSON functions keyed by SQL name. */
export const jsonFunctions: FunctionTable = {
  /**
   * SEARCH_JSON(expression, value): the JSONata result; one match is a scalar, several an array,
   * none undefined. An empty or non-string expression is an Error.
   */
  SEARCH_JSON: ([expression, value]) => {
    if (typeof expression !== "string" || expression.length === 0) throw new Error("search json expression must be a non-empty string");
    let result: unknown;
    try {
      result = expressionFor(expression).evaluate(value);
    } catch (thrown) {
      throw asError(thrown);
    }
    return plain(result);
  },
  /** DISTINCT_ARRAY(array): first occurrences only, compared deeply; anything else unchanged. */
  DISTINCT_ARRAY: ([value]) => {
    if (!Array.isArray(value) || value.length <= 1) return value;
    const out: unknown[] = [];
    for (const item of value) if (!out.some((kept) => deepEqual(kept, item))) out.push(item);
    return out;
  },
};
