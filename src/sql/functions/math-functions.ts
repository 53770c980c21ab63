/**
 * Math functions as AlaSQL 4.6.6 compiles them: straight `Math.*` calls, so arguments are coerced
 * the JavaScript way (`ABS(NULL)` is 0, `ABS(missing)` is NaN, which serialises as null).
 * Harper has no LOG/LOG10/SIGN: like any unknown function they hand back their first argument.
 */
import type { FunctionTable, ScalarFunction } from "./index.js";

const num = (value: unknown): number => value as number;

/** MAX(a, b, ...)/GREATEST: AlaSQL's reduce with `>` (MAX with one argument is the aggregate). */
const greatest: ScalarFunction = (args) => args.reduce((a, b) => (num(a) > num(b) ? a : b));
/** MIN(a, b, ...)/LEAST: AlaSQL's reduce with `<`. */
const least: ScalarFunction = (args) => args.reduce((a, b) => (num(a) < num(b) ? a : b));
const ceil: ScalarFunction = ([x]) => Math.ceil(num(x));

/** Math functions keyed by SQL name. */
export const mathFunctions: FunctionTable = {
  ABS: ([x]) => Math.abs(num(x)),
  CEIL: ceil,
  CEILING: ceil,
  FLOOR: ([x]) => Math.floor(num(x)),
  /** ROUND(x) to an integer, ROUND(x, d) to d decimals (`Math.round(x * 10^d) / 10^d`). */
  ROUND: (args) => {
    const [x, digits] = args;
    if (args.length === 2) return Math.round(num(x) * Math.pow(10, num(digits))) / Math.pow(10, num(digits));
    return Math.round(num(x));
  },
  SQRT: ([x]) => Math.sqrt(num(x)),
  EXP: ([x]) => Math.pow(Math.E, num(x)),
  POWER: ([x, y]) => Math.pow(num(x), num(y)),
  /** RANDOM() in [0,1); RANDOM(n) an integer in [0,n). */
  RANDOM: (args) => (args.length === 0 ? Math.random() : (Math.random() * num(args[0])) | 0),
  MAX: greatest,
  GREATEST: greatest,
  MIN: least,
  LEAST: least,
  ROWNUM: () => 1,
  ROW_NUMBER: () => 1,
};
