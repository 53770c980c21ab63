/**
 * Streaming CSV parsing with Harper's rules (spec bulk-jobs.md §4.3): papaparse 5.5.3's core
 * parser (what Harper 4.7.29 uses) fed one chunk at a time, the header applied as papaparse's
 * `header: true` would, and every cell typed by cell-value.ts.
 */
import Papa from "papaparse";
import { CsvError } from "./csv-error.js";
import { jsonCell, typedCell, untypedCell } from "./cell-value.js";

export { CsvError };

/** How csvBatches types and groups the records. */
export interface CsvOptions {
  /** Declared attribute types of the table (name -> type); absent names are untyped. */
  types?: ReadonlyMap<string, string>;
  /** Apply jsonCell to every string value (file/url/s3 loads); csv_data_load does not. */
  jsonCells: boolean;
  /** Keep the `__parsed_extra` array of rows with more fields than the header (csv_data_load keeps
   *  it; file/url/s3 loads drop it). */
  keepExtra: boolean;
  /** Records per batch (the caller writes one transaction per batch). */
  batchSize: number;
}

/** Where papaparse puts the fields of a row beyond the header. */
const extraField = "__parsed_extra";

/**
 * Text gathered before the delimiter and line break are guessed; papaparse guesses from the first
 * chunk it is given (10 rows for the delimiter, 1 MB for the line break), so the first chunk is
 * made big enough for the guess to see what it would see in the whole text.
 */
const guessChars = 1 << 20;

/** Slices of a string source, so that a large string is parsed and typed a slice at a time. */
const sliceChars = 1 << 20;

/** Harper's name rule for columns (`schemaRegex`): printable ASCII except `/` and backtick. */
const columnName = /^[\x20-\x2e\x30-\x5f\x61-\x7e]*$/;

/** The text of the source, decoded as UTF-8 with a leading byte order mark dropped. */
async function* texts(source: string | AsyncIterable<Uint8Array | string>): AsyncGenerator<string> {
  let first = true;
  const bomless = (text: string): string => {
    if (!first || text === "") return text;
    first = false;
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  };
  if (typeof source === "string") {
    for (let start = 0; start < source.length; start += sliceChars) yield bomless(source.slice(start, start + sliceChars));
    return;
  }
  // ignoreBOM: the decoder keeps it, so that exactly one is dropped whatever the chunk types.
  const decoder = new TextDecoder("utf-8", { ignoreBOM: true });
  for await (const chunk of source) {
    const text = typeof chunk === "string" ? decoder.decode() + chunk : decoder.decode(chunk, { stream: true });
    if (text !== "") yield bomless(text);
  }
  const rest = decoder.decode();
  if (rest !== "") yield bomless(rest);
}

/** A papaparse core parser with the delimiter and line break papaparse guesses from `sample`. */
function parserFor(sample: string): Papa.Parser {
  // The same guess Papa.parse makes for Harper (skipEmptyLines: true); preview keeps it cheap.
  const { meta } = Papa.parse<string[]>(sample, { preview: 1, skipEmptyLines: true });
  return new Papa.Parser({ delimiter: meta.delimiter, newline: meta.linebreak as Papa.ParseConfig["newline"] });
}

/** What the core parser answers (typed loosely by @types/papaparse). */
interface ParsedChunk {
  data: string[][];
  meta: { cursor: number };
}

/**
 * The rows of the CSV as arrays of field texts, a parsed chunk at a time, empty lines left out
 * (papaparse's `skipEmptyLines: true`). The source is read only as chunks are taken; a row cut by
 * a chunk boundary is parsed again with the next chunk. A row longer than the text at hand waits
 * for twice as much text before the next try, so long rows cost linear time.
 */
async function* csvRowChunks(source: string | AsyncIterable<Uint8Array | string>): AsyncGenerator<string[][]> {
  let parser: Papa.Parser | undefined;
  let pending = "";
  let wanted = guessChars;
  const parse = (text: string, last: boolean): ParsedChunk => {
    parser ??= parserFor(text);
    const parsed = parser.parse(text, 0, !last) as ParsedChunk;
    parsed.data = parsed.data.filter((row) => row.length !== 1 || row[0] !== "");
    return parsed;
  };
  for await (const text of texts(source)) {
    pending += text;
    if (pending.length < wanted) continue;
    const { data, meta } = parse(pending, false);
    pending = pending.slice(meta.cursor);
    wanted = meta.cursor === 0 ? pending.length * 2 : 0;
    if (data.length > 0) yield data;
  }
  if (pending !== "") {
    const { data } = parse(pending, true);
    if (data.length > 0) yield data;
  }
}

/**
 * The header with papaparse's renaming of repeated names (`a,a,a` -> `a`, `a_1`, `a_2`, skipping
 * names already taken).
 */
function uniqueHeader(fields: readonly string[]): string[] {
  const used = new Set(fields);
  const counts = new Map<string, number>();
  return fields.map((name) => {
    const count = counts.get(name);
    if (count === undefined) {
      counts.set(name, 1);
      return name;
    }
    let suffix = count;
    let renamed: string;
    do renamed = `${name}_${suffix++}`;
    while (used.has(renamed));
    used.add(renamed);
    counts.set(name, count + 1);
    return renamed;
  });
}

/** Throws CsvError for the first column name outside Harper's name rule. */
function checkColumnNames(header: readonly string[]): void {
  for (const name of header) {
    if (!columnName.test(name)) throw new CsvError(`Invalid column name '${name}', cancelling load operation`);
  }
}

/**
 * Parses CSV text or a byte/text stream (header row = attribute names, delimiter auto-detected,
 * quotes, "" escapes, \n or \r\n, empty lines skipped, BOM stripped) into typed records, yielded in
 * batches of `batchSize`, reading the input lazily so that a 1 GB file is parsed in bounded memory
 * (backpressure: the source is not read faster than batches are consumed). Throws CsvError
 * `Invalid column name '<c>', cancelling load operation` for a header name containing / or `
 * (before yielding anything; as in Harper, only when there is at least one data row) and
 * typedCell's error. Rows shorter than the header lack the missing columns; the fields of longer
 * rows go, typed, into a `__parsed_extra` array when `keepExtra` is set. A `__proto__` column is
 * dropped, as papaparse's plain-object rows drop it.
 */
export async function* csvBatches(
  source: string | AsyncIterable<Uint8Array | string>,
  options: CsvOptions,
): AsyncGenerator<Record<string, unknown>[]> {
  const { batchSize, jsonCells, keepExtra } = options;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  const types = options.types ?? new Map<string, string>();
  const cell = (text: string, column: string): unknown => {
    const type = types.get(column);
    const value = type === undefined ? untypedCell(text) : typedCell(text, column, type);
    return jsonCells ? jsonCell(value) : value;
  };
  let header: string[] | undefined;
  let checked = false;
  let batch: Record<string, unknown>[] = [];
  for await (const rows of csvRowChunks(source)) {
    for (const row of rows) {
      if (header === undefined) {
        header = uniqueHeader(row);
        continue;
      }
      if (!checked) {
        checkColumnNames(header);
        checked = true;
      }
      const record: Record<string, unknown> = {};
      const width = Math.min(row.length, header.length);
      for (let i = 0; i < width; i++) {
        const column = header[i]!;
        if (column !== "__proto__") record[column] = cell(row[i]!, column);
      }
      if (keepExtra && row.length > header.length) record[extraField] = row.slice(header.length).map((text) => cell(text, extraField));
      batch.push(record);
      if (batch.length === batchSize) {
        yield batch;
        batch = [];
      }
    }
  }
  if (batch.length > 0) yield batch;
}
