import alasql from "alasql";

/**
 * The key Harper 4.7.29 gives a select item without an alias, and the text AlaSQL prints for an
 * expression once Harper's functions are registered with it (spec sql.md §4.3).
 *
 * Harper names columns in two places. A statement with FROM goes through its SQLSearch wrapper,
 * which aliases each item before the final AlaSQL run:
 * - a column: its name;
 * - a function call with arguments: AlaSQL's text of the call, single quotes turned into double
 *   quotes (`geoDistance(point,"[-77.03,38.89]")`, `UPPER(d.name)`, `date_format(now(),"YYYY")`);
 * - an aggregate of a column: `AGG(col)` or `AGG(t.col)`, of `*`: `COUNT(*)`, of anything else:
 *   `AGG(undefined)` (the wrapper reads the argument's column name, which an expression lacks);
 * - anything else (operators, literals, CASE, CAST, paths): `undefined`, the column name it lacks.
 * A statement without FROM is AlaSQL's own: every item is named by its text, quotes as AlaSQL
 * prints them (`geoDistance('[-104.97,39.76]','[-77.03,38.89]','miles')`).
 *
 * AlaSQL prints a call's name as written when the name is registered with it (Harper registers its
 * functions in lower case, upper case and, for the geo functions, camel case), upper-cased when it
 * is one of AlaSQL's own, and not at all otherwise (`GeoArea(poly)` prints `(poly)`).
 */

/** AlaSQL's AST classes; a node is checked with instanceof. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Node = any;
const yy = (alasql as unknown as { yy: Record<string, new (...args: unknown[]) => unknown> }).yy;
const is = (node: Node, name: string): boolean => node instanceof (yy[name] as new () => unknown);
const library = alasql as unknown as {
  fn: Record<string, unknown>;
  aggr: Record<string, unknown>;
  stdlib: Record<string, unknown>;
  stdfn: Record<string, unknown>;
};

const geo = ["geoArea", "geoCircle", "geoContains", "geoConvert", "geoCrosses", "geoDifference", "geoDistance", "geoEqual", "geoLength", "geoNear"];
const plain = [
  "distinct_array", "search_json", "current_date", "current_time", "extract", "date", "date_format", "date_add", "date_sub", "date_diff",
  "datediff", "now", "offset_utc", "get_server_time", "getdate", "current_timestamp",
];

/** The spellings under which Harper 4.7.29 registers its functions with AlaSQL (`alasql.fn`). */
export const harperFunctionSpellings: ReadonlySet<string> = new Set([
  ...plain.flatMap((name) => [name, name.toUpperCase()]),
  ...geo.flatMap((name) => [name, name.toLowerCase(), name.toUpperCase()]),
]);

/** The aggregates Harper registers with AlaSQL (`alasql.aggr`), in lower and upper case; they parse as REDUCE. */
export const harperAggregates: readonly string[] = ["mad", "mean", "mode", "prod", "median"].flatMap((name) => [name, name.toUpperCase()]);

/** The name AlaSQL prints before a call's arguments, with Harper's functions registered. */
function printedFunctionName(funcid: string): string {
  if (harperFunctionSpellings.has(funcid) || library.fn[funcid] || library.aggr[funcid]) return funcid;
  const upper = funcid.toUpperCase();
  // AlaSQL removes the first run of characters a JavaScript name cannot have (its regular expression has no g flag).
  return library.stdlib[upper] || library.stdfn[upper] ? upper.replace(/[^0-9A-Z_$]+/i, "") : "";
}

/** Whether a value is one of AlaSQL's AST nodes (an instance of a class of alasql.yy). */
const isNode = (value: unknown): boolean =>
  typeof value === "object" && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) !== Object.prototype;

/**
 * A view of an AST whose calls print as they do in Harper's process: each node is shadowed by an
 * object inheriting from it, with its children shadowed too and a call's `toString` replaced. The
 * AST itself and AlaSQL's classes are left untouched.
 */
function harperView(node: Node): Node {
  const view = Object.create(node) as Record<string, unknown>;
  for (const key of Object.keys(node)) {
    const value = node[key];
    if (Array.isArray(value)) view[key] = value.map((item) => (isNode(item) ? harperView(item) : item));
    else if (isNode(value)) view[key] = harperView(value);
  }
  if (is(node, "FuncValue")) {
    view["toString"] = function (this: Node): string {
      const name = printedFunctionName(String(node.funcid));
      if (node.funcid === "CURRENT_TIMESTAMP") return name;
      const args = (this.args ?? []) as Node[];
      return `${name}(${args.map((arg) => String(arg.toString())).join(",")})`;
    };
  }
  return view;
}

/** AlaSQL's text of an expression as Harper's process prints it (its functions registered). */
export function harperText(node: Node): string {
  return String(harperView(node).toString());
}

/** The key Harper gives a select item without an alias; `hasFrom` tells its two naming paths apart. */
export function columnName(node: Node, hasFrom: boolean): string {
  if (is(node, "Column")) return String(node.columnid);
  if (!hasFrom) return harperText(node);
  if (is(node, "AggrValue")) {
    const argument = node.expression;
    if (is(argument, "Column")) {
      if (argument.columnid === "*") return harperText(node);
      return `${node.aggregatorid}(${argument.tableid ? `${argument.tableid}.` : ""}${argument.columnid})`;
    }
    return `${node.aggregatorid}(undefined)`;
  }
  if (is(node, "FuncValue")) return harperText(node).replace(/'/g, '"');
  return "undefined";
}
