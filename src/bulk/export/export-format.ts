/**
 * The bytes of export_local and export_to_s3 files (spec bulk-jobs.md §5.3, byte-exact): JSON is
 * one compact array; CSV is a header line of double-quoted names, then one line per row, no
 * trailing newline. Produced lazily, a few hundred rows per chunk.
 */

const rowsPerChunk = 500;

/** A CSV cell: strings quoted with `""` doubling, numbers and booleans bare, null or missing empty, others as quoted JSON. */
function csvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "";
  if (typeof value === "boolean" || typeof value === "bigint") return String(value);
  const text = typeof value === "string" ? value : value instanceof Date ? value.toISOString() : JSON.stringify(value);
  return `"${text.replace(/"/g, '""')}"`;
}

/** The export of `rows` as text chunks; CSV columns are `columns`, else the keys of the first row. */
export async function* exportChunks(
  rows: Iterable<Record<string, unknown>> | AsyncIterable<Record<string, unknown>>,
  format: "json" | "csv",
  columns?: readonly string[],
): AsyncGenerator<string> {
  let pending: string[] = [];
  let count = 0;
  let header = columns;
  for await (const row of rows as AsyncIterable<Record<string, unknown>>) {
    if (format === "json") pending.push((count === 0 ? "[" : ",") + JSON.stringify(row));
    else {
      if (count === 0) {
        header ??= Object.keys(row);
        pending.push(header.map((name) => `"${name.replace(/"/g, '""')}"`).join(","));
      }
      pending.push("\n" + header!.map((name) => csvCell(row[name])).join(","));
    }
    count++;
    if (pending.length >= rowsPerChunk) {
      yield pending.join("");
      pending = [];
    }
  }
  if (format === "json") pending.push(count === 0 ? "[]" : "]");
  else if (count === 0 && header) pending.push(header.map((name) => `"${name.replace(/"/g, '""')}"`).join(","));
  if (pending.length) yield pending.join("");
}
