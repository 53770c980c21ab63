/**
 * How one CSV cell becomes a stored value (spec bulk-jobs.md §4.3), written after Harper 4.7.29's
 * own functions: `autoCast` for columns without a declared type, `coerceType` for declared types
 * and `autoCastJSON` for the JSON-cell step of file, URL and S3 loads.
 */
import { autoCast } from "../../storage/index.js";
import { CsvError } from "./csv-error.js";

/** A zone at the end of a Date cell (else Harper appends `Z`, reading the text as UTC). */
const dateZone = /[+-][0-9]{2}:[0-9]{2}|[a-zA-Z]$/;

/** Harper's conversion of one CSV cell for a column without a declared type (spec bulk-jobs.md §4.3 table). */
export function untypedCell(text: string): unknown {
  return autoCast(text);
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
