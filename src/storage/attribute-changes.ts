import { withAttributes, withoutAttribute } from "./catalog.js";
import type { DatabaseEnv, TableState } from "./database-env.js";
import { setTableInfo } from "./database-env.js";
import { StorageError } from "./errors.js";
import { indexKeysOf } from "./index-keys.js";
import { createdTimeAttribute, updatedTimeAttribute } from "./system-tables.js";
import type { Id, TableInfo } from "./types.js";

/**
 * Attribute changes made inside a write transaction (spec databases-tables §8, §9). The index
 * store of a new attribute is opened before the transaction (lmdb opens stores in a transaction
 * of its own, see TableState.opened); the in-memory description is replaced at the end of the transaction's callback, so
 * that later writes of the same batch see it, and reloaded from the catalog if the commit fails.
 */

/**
 * Adds an attribute and, when indexed, builds its index over the records already stored.
 * INVALID `attribute '<a>' already exists in <db>.<table>` when it exists.
 */
export function addAttribute(env: DatabaseEnv, state: TableState, name: string, indexed: boolean): void {
  if (state.names.has(name)) {
    throw new StorageError("INVALID", `attribute '${name}' already exists in ${env.name}.${state.info.name}`);
  }
  const info = withAttributes(state.info, [{ name, indexed }]);
  const store = state.opened.get(name); // opened by the caller before the transaction
  if (indexed && store) {
    for (const { key, value } of state.stores.primary.getRange()) {
      for (const indexKey of indexKeysOf(value[name])) void store.put(indexKey, key);
    }
  }
  env.catalog.write(info);
  setTableInfo(state, info);
}

/**
 * Checks that an attribute may be dropped: not the primary key (`You cannot drop a hash
 * attribute`), not a timestamp (`cannot drop internal timestamp attribute: <name>`).
 */
export function checkDroppable(info: TableInfo, name: string): void {
  if (name === info.primaryKey) throw new StorageError("INVALID", "You cannot drop a hash attribute");
  if (name === createdTimeAttribute || name === updatedTimeAttribute) {
    throw new StorageError("INVALID", `cannot drop internal timestamp attribute: ${name}`);
  }
}

/**
 * Drops an attribute: its index is emptied (the store itself stays, so that handles opened by
 * writes in flight remain valid; dropTable deletes it) and, on a dynamic table, the property is
 * deleted from every stored record (schema-defined tables keep the stored values, spec
 * databases-tables §9). A missing attribute is not an error.
 */
export function dropAttribute(env: DatabaseEnv, state: TableState, name: string): void {
  checkDroppable(state.info, name);
  if (!state.names.has(name)) return;
  state.indexes.get(name)?.clearSync();
  if (!state.info.schemaDefined) {
    const { primary } = state.stores;
    const versions = state.info.expiration !== undefined;
    const holders: Id[] = [];
    for (const { key, value } of primary.getRange()) if (Object.hasOwn(value, name)) holders.push(key);
    for (const id of holders) {
      const entry = primary.getEntry(id);
      if (!entry) continue;
      const record = { ...entry.value };
      delete record[name];
      if (versions) void primary.put(id, record, entry.version as number);
      else void primary.put(id, record);
    }
  }
  const info = withoutAttribute(state.info, name);
  env.catalog.write(info);
  setTableInfo(state, info);
}
