import type { Id, Storage, StorageRecord, Table } from "../storage/index.js";
import { defaultDatabase, systemIsReadOnlyMessage } from "../storage/index.js";
import type { RunOptions } from "./access.js";
import { sqlTable } from "./access.js";
import { compileExpression } from "./compile-expression.js";
import type { CompileContext } from "./compile-expression.js";
import type { DeleteStatement, InsertStatement, UpdateStatement } from "./ir.js";
import { candidates, conjuncts, hasOr, indexConditions, slotsOf } from "./plan-access.js";
import type { IndexCondition } from "./plan-access.js";
import { deleteUse, insertUse, updateUse } from "./permission-uses.js";
import { slotOf } from "./scope.js";
import type { Row, Slot } from "./scope.js";
import { SqlError, invalidSql } from "./sql-error.js";

/** The answer of INSERT, UPDATE and DELETE: the NoSQL operation's summary. */
export type WriteSummary = Record<string, unknown>;

/**
 * INSERT INTO db.t (columns) VALUES (...), ...: a NoSQL insert of the rows (spec sql.md §6):
 * existing keys are skipped, missing keys generated (and reported, where Harper 4.7 reports null),
 * new columns become attributes. An unqualified table is in `data`. The permission check (of the
 * column list) comes before the values are evaluated, as in Harper.
 */
export async function runInsert(storage: Storage, statement: InsertStatement, options: RunOptions = {}): Promise<WriteSummary> {
  const database = statement.table.database ?? defaultDatabase;
  options.seeTables?.([{ database, table: statement.table.table, permission: "insert" }]);
  const table = sqlTable(storage, database, statement.table.table, "invalid");
  options.authorize?.([insertUse(statement, slotOf(0, database, statement.table.table, undefined, table))]);
  const context: CompileContext = { slots: [] };
  const records: StorageRecord[] = statement.rows.map((values, index) => {
    if (values.length !== statement.columns.length) {
      throw invalidSql(`row ${index + 1} of the INSERT has ${values.length} values for ${statement.columns.length} columns`);
    }
    const record: StorageRecord = {};
    statement.columns.forEach((column, i) => {
      const value = compileExpression(values[i]!, context)([]);
      record[column] = value === undefined ? null : value;
    });
    return record;
  });
  const result = await table.write("insert", records, { user: options.user });
  const written = result.written.map((w) => w.id);
  return {
    message: `inserted ${written.length} of ${written.length + result.skipped.length} records`,
    inserted_hashes: written,
    skipped_hashes: result.skipped,
  };
}

/**
 * UPDATE db.t SET ... [WHERE ...]: the matching keys, then a NoSQL update (merge) of each. The
 * permission check (of the SET columns and what their values read) comes first. Harper evaluates
 * each SET value with AlaSQL over the stored record, so a column the table does not have (even
 * `undefined`) reads as undefined there and is stored as null; WHERE is a SELECT and refuses it.
 */
export async function runUpdate(storage: Storage, statement: UpdateStatement, options: RunOptions = {}): Promise<WriteSummary> {
  const slot = writeSlot(storage, statement, "update", options);
  options.authorize?.([updateUse(statement, slot)]);
  const context: CompileContext = { slots: [slot], unknownColumnsUndefined: true };
  const set = statement.set.map(({ column, value }) => ({ column, value: compileExpression(value, context) }));
  const rows = matching(slot, statement);
  const primaryKey = slot.table.info.primaryKey;
  const records = [...rows()].map((row) => {
    const record: StorageRecord = { [primaryKey]: row[0]![primaryKey] };
    for (const { column, value } of set) {
      const v = value(row);
      record[column] = v === undefined ? null : v;
    }
    return record;
  });
  if (records.length === 0) return { message: "updated 0 of 0 records", update_hashes: [], skipped_hashes: [] };
  const result = await slot.table.write("update", records, { user: options.user });
  return {
    message: `updated ${result.written.length} of ${records.length} records`,
    update_hashes: result.written.map((w) => w.id),
    skipped_hashes: result.skipped,
  };
}

/** DELETE FROM db.t [WHERE ...]: deletes the matching records (all of them without WHERE), after the permission check. */
export async function runDelete(storage: Storage, statement: DeleteStatement, options: RunOptions = {}): Promise<WriteSummary> {
  const slot = writeSlot(storage, statement, "delete", options);
  options.authorize?.([deleteUse(statement, slot)]);
  const rows = matching(slot, statement);
  const primaryKey = slot.table.info.primaryKey;
  const ids = [...rows()].map((row) => row[0]![primaryKey] as Id);
  const deleted = ids.length ? await slot.table.deleteRecords(ids, { user: options.user }) : [];
  return {
    message: `${deleted.length} of ${ids.length} record${ids.length === 1 ? "" : "s"} successfully deleted`,
    deleted_hashes: deleted,
    skipped_hashes: [],
  };
}

/** The table of an UPDATE or DELETE, or Harper's messages (spec sql.md §6). */
function writeSlot(storage: Storage, statement: UpdateStatement | DeleteStatement, permission: "update" | "delete", options: RunOptions): Slot {
  const { database, table: name, alias } = statement.table;
  if (database === undefined) throw invalidSql(`schema not defined for table ${name}`);
  if (database === "system") throw new SqlError("forbidden", systemIsReadOnlyMessage);
  options.seeTables?.([{ database, table: name, permission }]);
  if (!storage.hasDatabase(database)) throw new SqlError("not_found", `schema ${database} does not exist`);
  const table: Table | undefined = storage.table(database, name);
  if (!table) throw new SqlError("not_found", `table ${database}.${name} does not exist`);
  return slotOf(0, database, name, alias, table);
}

/** The rows of an UPDATE's or DELETE's table matching its WHERE, read through the index conditions it allows. */
function matching(slot: Slot, statement: UpdateStatement | DeleteStatement): () => Iterable<Row> {
  const where = statement.where ? compileExpression(statement.where, { slots: [slot] }) : undefined;
  const ranges = !hasOr(statement.where);
  const terms = conjuncts(statement.where).filter((term) => slotsOf(term, [slot]).size === 1);
  const conditions: IndexCondition[] = indexConditions(terms, slot, [slot], ranges);
  const table = slot.table;
  return function* () {
    for (const record of candidates(table, conditions)) {
      const row: Row = [record];
      if (!where || where(row)) yield row;
    }
  };
}
