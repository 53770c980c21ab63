/**
 * How one CSV cell becomes a stored value (spec bulk-jobs.md §4.3), written after Harper 4.7.29's
 * own functions: `autoCast` for columns without a declared type, `coerceType` for declared types
 * and `autoCastJSON` for the JSON-cell step of file, URL and S3 loads.
 */
import { CsvError } from "./csv-error.js";

/** Cells that stand for a value of their own (Harper's `autoCast` table; case-sensitive). */
const literals: ReadonlyMap<string, unknown> = new Map<string, unknown>([
  ["true", true],
  ["TRUE", true],
  ["false", false],
  ["FALSE", false],
  ["null", null],
  ["NULL", null],
  ["undefined", null],
  ["NaN", NaN],
]);

/**
 * Full ISO-8601 date-times with a zone (`Z` or `±hh:mm`), with seconds and fraction, seconds, or
 * minutes only: Harper's pattern, character for character. Date-only text does not match.
 */
const isoDateTime =
  /^((\d{4}-[01]\d-[0-3]\dT[0-2]\d:[0-5]\d:[0-5]\d\.\d+([+-][0-2]\d:[0-5]\d|Z))|(\d{4}-[01]\d-[0-3]\dT[0-2]\d:[0-5]\d:[0-5]\d([+-][0-2]\d:[0-5]\d|Z))|(\d{4}-[01]\d-[0-3]\dT[0-2]\d:[0-5]\d([+-][0-2]\d:[0-5]\d|Z)))$/;

/** A zone at the end of a Date cell (else Harper appends `Z`, reading the text as UTC). */
const dateZone = /[+-][0-9]{2}:[0-9]{2}|[a-zA-Z]$/;

/** The `is-number` test Harper uses: not blank, and finite once converted with `+`. */
function isNumeric(text: string): boolean {
  const value = +text;
  // Blank text converts to 0; only then is the (allocating) trim needed.
  return Number.isFinite(value) && (value !== 0 || text.trim() !== "");
}

/**
 * Harper's `autoCasterIsNumberCheck`: numeric text, except forms starting with `0` (`007`, `0x10`;
 * `0` itself and `0.`-decimals are numbers) and text containing `e`/`E` (`1e3`). The leading-zero
 * test looks at the text as given, so `" 007"` is a number; `0.`-decimals pass before the `e`
 * test, so `0.5e3` is one too.
 */
function looksNumeric(text: string): boolean {
  if (text.startsWith("0.") && isNumeric(text)) return true;
  if (text !== "0" && text.startsWith("0")) return false;
  // Harper tests toUpperCase().includes("E"); text where another letter upper-cases to E is not
  // numeric anyway.
  return !text.includes("e") && !text.includes("E") && isNumeric(text);
}

/** Harper's conversion of one CSV cell for a column without a declared type (spec bulk-jobs.md §4.3 table). */
export function untypedCell(text: string): unknown {
  if (text === "") return "";
  if (literals.has(text)) return literals.get(text);
  if (looksNumeric(text)) return Number(text);
  if (isoDateTime.test(text)) {
    const date = new Date(text);
    // The pattern admits e.g. month 19; Harper would store an Invalid Date, we keep the text.
    if (!Number.isNaN(date.getTime())) return date;
  }
  return text;
}

/** A number that must not be NaN (Harper's `rejectNaN`). */
function notNaN<T extends number | Date>(value: T): T {
  if (Number.isNaN(+value)) throw new SyntaxError("not a number");
  return value;
}

/** Harper's `coerceType` for one declared type; throws anything for a bad value. */
function coerce(text: string, type: string): unknown {
  switch (type) {
    case "Int":
    case "Long":
      // `$` + base 36 is Harper's compact key notation, accepted here as it is by Harper.
      if (text.startsWith("$")) return notNaN(parseInt(text.slice(1), 36));
      if (text === "null") return null;
      if (!/^-?[0-9]+$/.test(text)) throw new SyntaxError("not an integer");
      return notNaN(+text);
    case "Float":
      return text === "null" ? null : notNaN(+text);
    case "BigInt":
      return text === "null" ? null : BigInt(text);
    case "Boolean": {
      // Harper's `autoCastBooleanStrict`: any case of true/false; other text stays a string and
      // is refused by the write's type check (`... must be a boolean`), not here.
      const lower = text.toLowerCase();
      return lower === "true" ? true : lower === "false" ? false : text;
    }
    case "Any":
      return untypedCell(text);
    default:
      // String, ID, Bytes, object types, ...: the text as it is.
      return text;
  }
}

/**
 * A cell of a column with a declared type (Int, Long, Float, BigInt, Boolean, Date, String, ...:
 * the `type` strings of src/storage/types.ts AttributeInfo.type); throws CsvError with Harper's
 * message `Invalid value for attribute <a>: "<v>", expecting <Type>` for a bad value; "" -> null
 * (except for String and Any, which keep ""). Follows Harper 4.7.29's `coerceType`, including
 * `null` text -> null for numbers and dates, numeric Date text as epoch milliseconds, and a Date
 * without zone read as UTC (its error message then shows the text with the `Z` Harper added).
 */
export function typedCell(text: string, attribute: string, type: string): unknown {
  if (text === "" && type !== "String" && type !== "Any") return null;
  let shown = text;
  try {
    if (type === "Date") {
      // Numeric text is epoch milliseconds (Harper lets `Infinity` through as an Invalid Date).
      if (!Number.isNaN(+text)) return notNaN(new Date(+text));
      if (text === "null") return null;
      if (!dateZone.test(text)) shown = `${text}Z`;
      return notNaN(new Date(shown));
    }
    return coerce(text, type);
  } catch (error) {
    throw new CsvError(`Invalid value for attribute ${attribute}: "${shown}", expecting ${type}`, { cause: error });
  }
}

/**
 * The JSON-cell step of csv_file_load / csv_url_load / import_from_s3: a string starting with { and
 * ending with }, or [ and ], parsed when it is valid JSON, else kept. Other values pass unchanged.
 */
export function jsonCell(value: unknown): unknown {
  if (typeof value !== "string") return value;
  if (!((value.startsWith("{") && value.endsWith("}")) || (value.startsWith("[") && value.endsWith("]")))) return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    // Not JSON after all (`{bad}`, `[x]`): Harper keeps the text.
    return value;
  }
}
