import { tooDeep, tooLong, tooWide } from "./limits.js";
import type { SqlLimits } from "./limits.js";

/** Words that end a select list when they appear at its own parenthesis depth. */
const listEnds: ReadonlySet<string> = new Set(["FROM", "INTO", "WHERE", "GROUP", "HAVING", "ORDER", "LIMIT", "OFFSET", "UNION", "EXCEPT", "INTERSECT", "MINUS"]);

const enum Ch {
  Newline = 10,
  Return = 13,
  DoubleQuote = 34,
  Dollar = 36,
  Quote = 39,
  Open = 40,
  Close = 41,
  Comma = 44,
  Minus = 45,
  At = 64,
  OpenBracket = 91,
  Backslash = 92,
  CloseBracket = 93,
  Underscore = 95,
  Backtick = 96,
}

const isLetter = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === Ch.Underscore;
const isWordChar = (c: number) => isLetter(c) || (c >= 48 && c <= 57) || c === Ch.Dollar;

/**
 * Checks the size limits of an SQL statement before it reaches the parser, in one linear pass
 * over the text that never builds anything but a small stack of open select lists:
 * - `sqlLength`: characters;
 * - `sqlDepth`: the deepest nesting of `(`;
 * - `sqlColumns`: the expressions of every select list: commas at the list's own parenthesis
 *   depth between SELECT and the word that ends the list (FROM, WHERE, ORDER, ...) or the `)`
 *   that closes it, plus one.
 * String literals ('...', "...", with AlaSQL's `\x` and doubled-quote escapes), quoted
 * identifiers (`` `...` ``, ``` ``...`` ```, `[...]`) and `--` comments are skipped as AlaSQL's
 * lexer skips them, so a parenthesis or comma inside them never counts. The count is approximate
 * where the scan and the grammar could disagree (an unterminated quote ends the scan, which the
 * parser then refuses at that quote); it never counts more than the parser sees, so a valid
 * statement within the limits always passes, and the parse-time limit still bounds anything that
 * slips by. A statement no longer than both `sqlDepth` and `sqlColumns` cannot exceed either
 * (each `(` and each comma is a character), so it is not scanned.
 * Throws SqlError (400) naming the limit.
 */
export function checkSqlText(sql: string, limits: SqlLimits): void {
  const n = sql.length;
  if (n > limits.sqlLength) throw tooLong(n, limits.sqlLength);
  if (n <= limits.sqlDepth && n <= limits.sqlColumns) return;
  const maxDepth = limits.sqlDepth;
  const maxItems = limits.sqlColumns;
  // The open select lists: the parenthesis depth of each and its expressions so far.
  const listDepths: number[] = [];
  const listItems: number[] = [];
  let depth = 0;
  // Positions up to which a search for a closing quote character is known to fail (keeps the scan linear).
  let bracketFailsBefore = -1;
  let backtickFails = false;
  let doubleBacktickFails = false;
  let i = 0;
  while (i < n) {
    const c = sql.charCodeAt(i);
    switch (c) {
      case Ch.Quote:
      case Ch.DoubleQuote:
        i = stringEnd(sql, i, c);
        continue;
      case Ch.Backtick: {
        if (sql.charCodeAt(i + 1) === Ch.Backtick && !doubleBacktickFails) {
          const close = sql.indexOf("``", i + 2);
          if (close >= 0) {
            i = close + 2;
            continue;
          }
          doubleBacktickFails = true;
        }
        if (!backtickFails) {
          const close = sql.indexOf("`", i + 1);
          if (close >= 0) {
            i = close + 1;
            continue;
          }
          backtickFails = true;
        }
        i++;
        continue;
      }
      case Ch.OpenBracket: {
        // `[name]` is an identifier unless it holds a quote; `@[` and `ARRAY[` open arrays.
        if (i > bracketFailsBefore && !opensArray(sql, i)) {
          let j = i + 1;
          while (j < n) {
            const d = sql.charCodeAt(j);
            if (d === Ch.CloseBracket || d === Ch.Quote) break;
            j++;
          }
          if (j < n && sql.charCodeAt(j) === Ch.CloseBracket) {
            i = j + 1;
            continue;
          }
          bracketFailsBefore = j;
        }
        i++;
        continue;
      }
      case Ch.Minus:
        if (sql.charCodeAt(i + 1) === Ch.Minus) {
          i += 2;
          while (i < n && sql.charCodeAt(i) !== Ch.Newline && sql.charCodeAt(i) !== Ch.Return) i++;
          continue;
        }
        i++;
        continue;
      case Ch.Open:
        if (++depth > maxDepth) throw tooDeep(maxDepth);
        i++;
        continue;
      case Ch.Close:
        if (depth > 0) depth--;
        while (listDepths.length > 0 && listDepths[listDepths.length - 1]! > depth) {
          listDepths.pop();
          listItems.pop();
        }
        i++;
        continue;
      case Ch.Comma: {
        const top = listDepths.length - 1;
        if (top >= 0 && listDepths[top] === depth && ++listItems[top]! > maxItems) throw tooWide(maxItems);
        i++;
        continue;
      }
      default: {
        if (!isWordChar(c)) {
          i++;
          continue;
        }
        let j = i + 1;
        while (j < n && isWordChar(sql.charCodeAt(j))) j++;
        const length = j - i;
        if (isLetter(c) && length >= 4 && length <= 9) {
          const word = sql.slice(i, j).toUpperCase();
          if (word === "SELECT") {
            listDepths.push(depth);
            listItems.push(1);
          } else if (listEnds.has(word)) {
            const top = listDepths.length - 1;
            if (top >= 0 && listDepths[top] === depth) {
              listDepths.pop();
              listItems.pop();
            }
          }
        }
        i = j;
      }
    }
  }
}

/** The index after the string literal that starts at `start` (the text's end when unterminated). */
function stringEnd(sql: string, start: number, quote: number): number {
  const n = sql.length;
  let i = start + 1;
  while (i < n) {
    const c = sql.charCodeAt(i);
    if (c === Ch.Backslash) i += 2;
    else if (c === quote) {
      if (sql.charCodeAt(i + 1) !== quote) return i + 1;
      i += 2;
    } else i++;
  }
  return n;
}

/** Whether the `[` at `i` opens an AlaSQL array (`@[`, `ARRAY[`) rather than a quoted name. */
function opensArray(sql: string, i: number): boolean {
  if (i > 0 && sql.charCodeAt(i - 1) === Ch.At) return true;
  return i >= 5 && sql.slice(i - 5, i).toUpperCase() === "ARRAY" && (i === 5 || !isWordChar(sql.charCodeAt(i - 6)));
}
