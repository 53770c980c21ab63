/**
 * The reference for the differential test of the `sql` operation: runs a SELECT with AlaSQL 4.6.6
 * (the engine HarperDB 4.7 runs underneath) over in-memory arrays holding the same records, and
 * shapes the answer as Harper does (spec sql.md §4):
 *
 * - rows carry every attribute of their table, a missing one as null (Harper builds its in-memory
 *   rows that way, which is why `SELECT *` shows missing attributes as null): referenceTable;
 * - the result goes through JSON, as Harper's does: an expression that gives undefined (or SQL NULL,
 *   which AlaSQL holds as undefined) loses its key, NaN and Infinity become null;
 * - in an outer join a plain column of the missing side is null rather than absent.
 */
import alasql from "alasql";
import type { Row } from "./sql-generator.js";

interface AstColumn {
  as?: unknown;
  columnid?: unknown;
}
interface AstSelect {
  columns?: AstColumn[];
  joins?: Array<{ joinmode?: unknown }>;
}
const yy = (alasql as unknown as { yy: Record<string, abstract new (...args: never[]) => unknown> }).yy;
const ColumnClass = yy.Column as abstract new (...args: never[]) => unknown;

/**
 * The table's records as Harper's SQL sees them: every attribute of the table (the union of the
 * records' keys, `first` leading) on every row, null where the record lacks it; in primary-key order.
 */
export function referenceTable(records: readonly Row[], first: readonly string[] = ["id"]): Row[] {
  const attributes = new Set<string>(first);
  for (const record of records) for (const key of Object.keys(record)) attributes.add(key);
  const rows = records.map((record) => {
    const row: Row = {};
    for (const attribute of attributes) row[attribute] = attribute in record ? structuredClone(record[attribute]) : null;
    return row;
  });
  return rows.sort((x, y) => (x.id as number) - (y.id as number));
}

/**
 * Runs `sql` (a SELECT naming its tables `database.table`) over `tables` (table name → rows from
 * referenceTable) with AlaSQL and returns the rows Harper would answer.
 */
export function referenceSelect(sql: string, tables: Readonly<Record<string, readonly Row[]>>): Row[] {
  const parameters: Row[][] = [];
  const rewritten = sql.replace(/\b[A-Za-z_][A-Za-z0-9_]*\.([A-Za-z_][A-Za-z0-9_]*)\b(?=\s|$)/g, (match, table: string, offset: number) => {
    // only a table position: right after FROM or JOIN
    const before = sql.slice(0, offset).trimEnd().toUpperCase();
    if (!before.endsWith("FROM") && !before.endsWith("JOIN")) return match;
    const rows = tables[table];
    if (!rows) throw new Error(`reference: no table ${table}`);
    parameters.push(rows.map((row) => structuredClone(row)));
    return "?";
  });
  const result = alasql(rewritten, parameters) as unknown;
  if (!Array.isArray(result)) throw new Error(`reference: AlaSQL answered ${typeof result}`);
  const rows = JSON.parse(JSON.stringify(result)) as Row[];

  const statement = (alasql.parse(sql) as unknown as { statements: AstSelect[] }).statements[0];
  const outer = (statement?.joins ?? []).some((join) => String(join.joinmode ?? "").toUpperCase() !== "INNER");
  if (!outer || !statement?.columns) return rows;
  // outer join: plain columns of the missing side are null, in select-list order
  const plain = new Set<string>();
  const order: string[] = [];
  for (const column of statement.columns) {
    const key = typeof column.as === "string" ? column.as : typeof column.columnid === "string" ? column.columnid : undefined;
    if (key === undefined || key === "*") return rows;
    order.push(key);
    if (column instanceof ColumnClass) plain.add(key);
  }
  return rows.map((row) => {
    const shaped: Row = {};
    for (const key of order) {
      if (key in row) shaped[key] = row[key];
      else if (plain.has(key)) shaped[key] = null;
    }
    return shaped;
  });
}
