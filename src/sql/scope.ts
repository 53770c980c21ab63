import type { StorageRecord, Table } from "../storage/index.js";
import { createdTimeAttribute, updatedTimeAttribute } from "../storage/index.js";
import type { TableUse } from "./access.js";
import { invalidSql, unknownColumn } from "./sql-error.js";

/** One table of a statement: its place in a row, the names it answers to, its attributes. */
export interface Slot {
  /** Index of the table's record in a Row. */
  index: number;
  database: string;
  name: string;
  /** The alias, or the table name when none. */
  alias: string;
  table: Table;
  /** Attribute names in Harper's `*` order: primary key, the two timestamps, the rest. */
  columns: string[];
  has: ReadonlySet<string>;
}

/** The records a joined row holds, one per slot; undefined where an outer join found none. */
export type Row = Array<StorageRecord | undefined>;

/** A column of one slot. */
export interface ColumnRef {
  slot: Slot;
  column: string;
}

/** Builds the slot of a table. */
export function slotOf(index: number, database: string, name: string, alias: string | undefined, table: Table): Slot {
  const info = table.info;
  const rest = info.attributes
    .map((a) => a.name)
    .filter((n) => n !== info.primaryKey && n !== createdTimeAttribute && n !== updatedTimeAttribute);
  const columns = [info.primaryKey, createdTimeAttribute, updatedTimeAttribute, ...rest];
  return { index, database, name, alias: alias ?? name, table, columns, has: new Set(info.attributes.map((a) => a.name)) };
}

/**
 * Resolves a column as Harper does (spec sql.md §4.5, §7): a qualifier names a table alias (or
 * the table); an unqualified name must belong to exactly one table. Throws `unknown column x`,
 * `unknown column t.x` or `ambiguous column reference x`.
 */
export function resolveColumn(slots: readonly Slot[], name: string, qualifier?: string): ColumnRef {
  if (qualifier !== undefined) {
    const slot = slots.find((s) => s.alias === qualifier) ?? slots.find((s) => s.name === qualifier);
    if (!slot || !slot.has.has(name)) throw unknownColumn(`${qualifier}.${name}`);
    return { slot, column: name };
  }
  const owners = slots.filter((s) => s.has.has(name));
  if (owners.length === 0) throw unknownColumn(name);
  if (owners.length > 1) throw invalidSql(`ambiguous column reference ${name}`);
  return { slot: owners[0]!, column: name };
}

/** A fresh permission record of what a statement does to a slot's table. */
export function useOf(slot: Slot, permission: TableUse["permission"]): TableUse {
  return {
    database: slot.database,
    table: slot.name,
    primaryKey: slot.table.info.primaryKey,
    attributes: slot.columns,
    permission,
    columns: new Set(),
    star: false,
  };
}
