/**
 * A statement with the constants of its WHERE clause taken out: `SELECT * FROM t WHERE id = 5` is
 * `SELECT * FROM t WHERE id = ?` with the parameter `5`. Statements that differ only there share
 * one parse (parse.ts), which is most of what a small query costs. Only plain number literals and
 * quoted strings without escapes are taken out, and only between WHERE and the next clause, where
 * a constant never names a column; anything else keeps the statement whole.
 */
export interface WhereTemplate {
  text: string;
  params: Array<number | string>;
}

const identifierChar = /[A-Za-z0-9_$]/;
const clauseEnd = /^(GROUP|ORDER|LIMIT|OFFSET|HAVING|UNION|EXCEPT|INTERSECT)$/i;

/** The template of `sql`, or undefined when it has no WHERE constants to take out. */
export function whereTemplate(sql: string): WhereTemplate | undefined {
  let out = "";
  const params: Array<number | string> = [];
  let inWhere = false;
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const ch = sql[i]!;
    if (ch === "`" || ch === "[") {
      const close = sql.indexOf(ch === "`" ? "`" : "]", i + 1);
      if (close < 0) return undefined;
      out += sql.slice(i, close + 1);
      i = close + 1;
      continue;
    }
    if (ch === "'" || ch === '"') {
      const close = sql.indexOf(ch, i + 1);
      if (close < 0) return undefined;
      const body = sql.slice(i + 1, close);
      if (sql[close + 1] === ch || body.includes("\\")) return undefined; // escapes: parse it whole
      if (inWhere) {
        params.push(body);
        out += "?";
      } else out += sql.slice(i, close + 1);
      i = close + 1;
      continue;
    }
    if (ch === "-" && sql[i + 1] === "-") return undefined; // comments: parse it whole
    if (ch === ";" || ch === "?" || ch === "@" || ch === "$") return undefined;
    if (/[A-Za-z_]/.test(ch)) {
      let end = i + 1;
      while (end < n && identifierChar.test(sql[end]!)) end++;
      const word = sql.slice(i, end);
      if (/^WHERE$/i.test(word)) inWhere = true;
      else if (inWhere && clauseEnd.test(word)) inWhere = false;
      out += word;
      i = end;
      continue;
    }
    if (/[0-9]/.test(ch)) {
      const match = /^[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(sql.slice(i))!;
      const end = i + match[0].length;
      const before = sql[i - 1];
      const after = sql[end];
      const standalone = before !== "." && !(before && identifierChar.test(before)) && !(after && (identifierChar.test(after) || after === "."));
      if (inWhere && standalone) {
        params.push(Number(match[0]));
        out += "?";
      } else out += match[0];
      i = end;
      continue;
    }
    out += ch;
    i++;
  }
  return params.length ? { text: out, params } : undefined;
}
