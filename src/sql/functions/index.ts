/**
 * The scalar function library of the `sql` operation. Harper 4.7 evaluates SQL with AlaSQL 4.6.6
 * plus its own registrations (date, JSON and geo functions, a few aggregates); every function here
 * reproduces the JavaScript that one of them runs, including how it treats null, undefined and
 * values of the wrong type (spec sql.md §5).
 */
import { conditionalFunctions } from "./conditional-functions.js";
import { dateFunctions } from "./date-functions.js";
import { geoFunctions } from "./geo-functions.js";
import { jsonFunctions } from "./json-functions.js";
import { mathFunctions } from "./math-functions.js";
import { stringFunctions } from "./string-functions.js";

/** A scalar SQL function: evaluated arguments in, value out. undefined = SQL NULL/no value. */
export type ScalarFunction = (args: unknown[]) => unknown;

/** Function tables keyed by upper-case SQL name, one per source file. */
export type FunctionTable = Readonly<Record<string, ScalarFunction>>;

/** Upper-case function name -> implementation, aliases included (LEN and LENGTH, IF and IIF, DATE_DIFF and DATEDIFF, NOW and GETDATE, ...). */
export const scalarFunctions: ReadonlyMap<string, ScalarFunction> = new Map(
  [stringFunctions, mathFunctions, conditionalFunctions, dateFunctions, jsonFunctions, geoFunctions].flatMap((table) => Object.entries(table)),
);

export { castValue } from "./cast.js";
