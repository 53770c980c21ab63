/**
 * The bytes of export_local and export_to_s3 files (spec bulk-jobs.md §5.3, byte-exact with
 * HarperDB 4.7, whose JSON comes from its JSON stream serializer and whose CSV comes from
 * json2csv 5 with default options).
 */

/** A chunk is handed out once this many UTF-16 units are pending (about 64 KiB of ASCII). */
const chunkSize = 65_536;

/** How one format turns rows into text: the text a row adds, and the text that closes the file. */
interface Writer {
  row(row: Record<string, unknown>): string;
  end(): string;
}

/**
 * The bytes of an export as chunks, produced lazily from the rows (an iterable or async iterable
 * of plain objects): a row is pulled from the source only when the chunk being built needs it, so
 * a generator source is never drained ahead of the consumer.
 * - JSON: one compact array, no trailing newline; values as JSON.stringify prints them (Dates as
 *   ISO strings), bigints as numbers when exact else as strings.
 * - CSV: a header line of the columns (each name double-quoted), rows joined by `\n`, no trailing
 *   newline; strings quoted with `""` doubling, numbers/booleans bare, null/missing empty,
 *   arrays/objects as quoted JSON text, Dates as quoted ISO strings. `columns` are the CSV columns;
 *   when absent, the keys of the first row (what Harper does for sql searches).
 * Empty results: JSON `[]`; CSV with known columns: the header only; CSV without columns: "".
 * As in Harper (json2csv skips rows whose cells are all empty), a CSV row whose columns are all
 * null or missing is left out.
 */
export async function* exportChunks(
  rows: Iterable<Record<string, unknown>> | AsyncIterable<Record<string, unknown>>,
  format: "json" | "csv",
  columns?: readonly string[],
): AsyncGenerator<string> {
  const writer = format === "json" ? jsonWriter() : format === "csv" ? csvWriter(columns) : undefined;
  // The same message Harper's export validation gives (spec §5.1), in case a caller skipped it.
  if (!writer) throw new Error("format invalid. must be one of the following values: json, csv");
  let pending = "";
  // Two loops rather than `for await` over both: a sync source then costs no promise per row.
  if (Symbol.asyncIterator in rows) {
    for await (const row of rows) {
      pending += writer.row(row);
      if (pending.length >= chunkSize) {
        yield pending;
        pending = "";
      }
    }
  } else {
    for (const row of rows) {
      pending += writer.row(row);
      if (pending.length >= chunkSize) {
        yield pending;
        pending = "";
      }
    }
  }
  pending += writer.end();
  if (pending) yield pending;
}

/** JSON: `[`, the rows separated by `,`, `]`; `[]` when there are none. */
function jsonWriter(): Writer {
  let count = 0;
  return {
    row(row) {
      return (count++ === 0 ? "[" : ",") + (jsonText(row) ?? "null");
    },
    end() {
      return count === 0 ? "[]" : "]";
    },
  };
}

/**
 * CSV as json2csv 5 writes it: the header as soon as the columns are known (at the start when
 * given, else at the first row), then `\n` before every line but the first one written.
 */
function csvWriter(columns: readonly string[] | undefined): Writer {
  let names = columns;
  let written = false;
  const header = (): string => {
    written = true;
    return names!.map(csvCell).join(",");
  };
  let start = names ? header() : "";
  return {
    row(row) {
      let text = start;
      start = "";
      if (!names) {
        names = Object.keys(row);
        text += header();
      }
      const cells = names.map((name) => csvCell(row[name]));
      if (cells.every((cell) => cell === "")) return text;
      text += (written ? "\n" : "") + cells.join(",");
      written = true;
      return text;
    },
    end() {
      return start;
    },
  };
}

/**
 * A CSV cell (json2csv's processValue): null/undefined empty; numbers, booleans and bigints bare;
 * strings quoted with `""` doubling; anything else as its JSON text, quoted, a JSON string losing
 * its own quotes first (so a Date becomes its quoted ISO string); no JSON (functions) empty.
 */
function csvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  let text: string;
  switch (typeof value) {
    case "number":
    case "boolean":
    case "bigint":
      return String(value);
    case "string":
      text = value;
      break;
    default: {
      const json = jsonText(value);
      if (json === undefined) return "";
      text = json.startsWith('"') ? json.replace(/^"(.+)"$/, "$1") : json;
    }
  }
  return `"${text.replaceAll('"', '""')}"`;
}

/** JSON.stringify's text of a value (undefined for functions and symbols), bigints as numbers when exact else as strings (JSON.stringify throws on them). */
function jsonText(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch (error) {
    if (!(error instanceof TypeError) || !/BigInt/i.test(error.message)) throw error;
    return JSON.stringify(value, (_key, item: unknown) => (typeof item === "bigint" ? bigintJson(item) : item));
  }
}

/** A bigint as JSON can carry it: a number when exact, else its digits as a string (as search answers print it). */
function bigintJson(value: bigint): number | string {
  return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
}
