import type { TableUse } from "./access.js";
import { walk } from "./compile-expression.js";
import type { DeleteStatement, Expr, InsertStatement, SelectStatement, UpdateStatement } from "./ir.js";
import { useOf } from "./scope.js";
import type { Slot } from "./scope.js";

/**
 * What a statement names of each table, for the permission check, read as Harper 4.7.29 reads it:
 * from the statement's text, before any column is resolved or the statement validated, so that a
 * restricted role learns of no attribute (not even that a name is unknown) before the check
 * passes (spec auth-users-roles.md §6.5).
 *
 * Which names count, per statement:
 * - SELECT: the select list, WHERE, the joins' ON, ORDER BY (and HAVING, which Harper leaves out:
 *   docs/compatibility.md); GROUP BY terms are not checked (a valid GROUP BY names only selected
 *   columns, which are); `*` marks the table as read whole; a select alias named in ORDER BY or
 *   HAVING is not an attribute;
 * - UPDATE: the SET columns and the columns their values read, not WHERE, not the primary key;
 * - INSERT: the column list;
 * - DELETE: the WHERE columns.
 * A qualified name belongs to the table it names (none: left to validation); an unqualified one to
 * the only table that has it, else, as Harper attributes it, to the first table.
 */
export function selectUses(statement: SelectStatement, slots: readonly Slot[]): TableUse[] {
  const uses = slots.map((slot) => useOf(slot, "read"));
  const aliases = new Set(statement.items.flatMap((item) => (item.kind === "expr" && item.alias !== undefined ? [item.alias] : [])));
  const name = (expr: Expr, allowAlias: boolean) => addColumns(uses, slots, expr, allowAlias ? aliases : undefined);
  for (const item of statement.items) {
    if (item.kind === "expr") name(item.expr, false);
    else for (const slot of starTargets(slots, item.table)) uses[slot.index]!.star = true;
  }
  if (statement.where) name(statement.where, false);
  for (const join of statement.joins) if (join.on) name(join.on, false);
  for (const key of statement.orderBy) name(key.expr, true);
  if (statement.having) name(statement.having, true);
  return uses;
}

/** An UPDATE's use: the SET columns, each followed by the columns its value reads. */
export function updateUse(statement: UpdateStatement, slot: Slot): TableUse {
  const uses = [useOf(slot, "update")];
  for (const { column, value } of statement.set) {
    uses[0]!.columns.add(column);
    addColumns(uses, [slot], value);
  }
  return uses[0]!;
}

/** An INSERT's use: its column list. */
export function insertUse(statement: InsertStatement, slot: Slot): TableUse {
  const use = useOf(slot, "insert");
  for (const column of statement.columns) use.columns.add(column);
  return use;
}

/** A DELETE's use: the columns of its WHERE. */
export function deleteUse(statement: DeleteStatement, slot: Slot): TableUse {
  const uses = [useOf(slot, "delete")];
  if (statement.where) addColumns(uses, [slot], statement.where);
  return uses[0]!;
}

/** The slots a `*` (all of them) or `t.*` reads. */
function starTargets(slots: readonly Slot[], table: string | undefined): readonly Slot[] {
  return table === undefined ? slots : slots.filter((s) => s.alias === table || s.name === table);
}

/** Adds the columns an expression names to their tables' uses; names in `aliases` are skipped when unqualified. */
function addColumns(uses: TableUse[], slots: readonly Slot[], expr: Expr, aliases?: ReadonlySet<string>): void {
  walk(expr, (e) => {
    if (e.kind !== "column") return;
    if (e.table === undefined && aliases?.has(e.name) && !slots.some((s) => s.has.has(e.name))) return;
    const slot = e.table === undefined ? owner(slots, e.name) : slots.find((s) => s.alias === e.table) ?? slots.find((s) => s.name === e.table);
    if (slot) uses[slot.index]!.columns.add(e.name);
  });
}

/** The table an unqualified name is checked against: the only one that has it, else the first. */
function owner(slots: readonly Slot[], name: string): Slot | undefined {
  const having = slots.filter((s) => s.has.has(name));
  return having.length === 1 ? having[0] : slots[0];
}
