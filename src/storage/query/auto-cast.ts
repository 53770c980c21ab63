/**
 * The conversion Harper applies to text that stands for a value when no type is declared
 * (`autoCast`), shared by the CSV loads and the short comparator aliases of search_by_conditions.
 */

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

/**
 * Harper 4.7.29's `autoCast` of text to the value it stands for, where no type is declared: the
 * CSV cells of untyped columns (spec bulk-jobs.md §4.3 table) and the values of the short
 * comparator aliases (`eq`, `ne`, `lt`, ...; spec nosql.md §7.3). `true`/`TRUE`, `false`/`FALSE`,
 * `null`/`NULL`/`undefined` and `NaN` are values; numeric text is a number unless it starts with
 * `0` or has an exponent (`"0025"`, `"1e3"` stay text; `" 7 "` is 7); a full ISO date-time with a
 * zone is a Date; anything else, `""` included, stays text.
 */
export function autoCast(text: string): unknown {
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
