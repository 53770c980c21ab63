import { Code } from "@connectrpc/connect";
import type { ServiceImpl } from "@connectrpc/connect";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { DatabaseService, TableDescriptorSchema } from "../../gen/harper/v1/database_service_pb.js";
import { kUser } from "../auth/context.js";
import { permissionError } from "../auth/permission-error.js";
import { roleView } from "../auth/permissions.js";
import type { RoleView } from "../auth/permissions.js";
import { defaultDatabase, validateAttributeName, validateName } from "../storage/index.js";
import type { Storage, Table } from "../storage/index.js";
import { forbiddenSystem, invalid, notFound, translating } from "./storage-errors.js";
import { describeAttributes } from "./table-descriptor.js";
import { findTable } from "./find-table.js";

type Descriptor = MessageInitShape<typeof TableDescriptorSchema>;

/** Databases, tables and attributes (spec databases-tables.md), over the storage core. */
export function createDatabaseService(storage: Storage): ServiceImpl<typeof DatabaseService> {
  const describe = (table: Table, view?: RoleView): Descriptor => {
    const info = table.info;
    const stats = table.stats();
    const attributes = describeAttributes(info).filter(
      (a) => !view || view.attribute(info.database, info.name, a.attribute ?? "", info.primaryKey),
    );
    return {
      schema: info.database,
      name: info.name,
      hashAttribute: info.primaryKey,
      audit: info.audit,
      schemaDefined: info.schemaDefined,
      attributes,
      dbSize: stats.dbSize,
      expiration: info.expiration === undefined ? undefined : `${info.expiration}s`,
      sources: [],
      recordCount: stats.recordCount,
      tableSize: stats.tableSize,
      dbAuditSize: stats.dbAuditSize,
      lastUpdatedRecord: stats.lastUpdatedRecord,
    };
  };
  const describeDatabase = (database: string, view?: RoleView) => {
    const tables: Record<string, Descriptor> = {};
    for (const info of storage.tables(database)) {
      if (view && !view.table(database, info.name)) continue;
      const table = storage.table(database, info.name);
      if (table) tables[info.name] = describe(table, view);
    }
    return tables;
  };
  /**
   * A restricted caller's checks before describing, before the request's own checks (spec
   * databases-tables.md §2-3, auth §6.4 step 6), as HarperDB 4.7.29 answers them: `system` is
   * refused by name; describe_database names the database it cannot see, describe_table always
   * names the table (`Table 'nope.dog' does not exist` for an invisible database too).
   */
  const checkDescribable = (view: RoleView | undefined, database: string, table?: string) => {
    if (!view) return;
    if (database === "system") {
      throw permissionError([`Your role does not have permission to view database metadata for 'system'`]);
    }
    if (table === undefined) {
      if (!view.database(database)) throw permissionError([], [`database '${database}' does not exist`]);
    } else if (!view.database(database) || !view.table(database, table)) {
      throw permissionError([], [`Table '${database}.${table}' does not exist`]);
    }
  };
  const requireDatabase = (database: string) => {
    if (!storage.hasDatabase(database)) throw notFound(`database '${database}' does not exist`);
  };
  const requireTable = (database: string, name: string): Table => findTable(storage, database, name);
  /** Harper's joi checks of the names a request sends: one message per failure. */
  const nameErrors = (checks: Array<[unknown, string]>): string[] => {
    const errors: string[] = [];
    for (const [value, field] of checks) {
      if (value === undefined) continue;
      try {
        validateName(value, field);
      } catch (error) {
        errors.push((error as Error).message);
      }
    }
    return errors;
  };

  return {
    describeAll(_request, context) {
      const view = roleView(context.values.get(kUser));
      const databases: Record<string, { tables: Record<string, Descriptor> }> = {};
      for (const database of storage.databases()) {
        if (database === "system" || (view && !view.database(database))) continue;
        databases[database] = { tables: describeDatabase(database, view) };
      }
      return { databases };
    },

    describeDatabase(request, context) {
      const database = request.database ?? defaultDatabase;
      const view = roleView(context.values.get(kUser));
      checkDescribable(view, database);
      requireDatabase(database);
      return { tables: describeDatabase(database, view) };
    },

    describeTable(request, context) {
      const database = request.database ?? defaultDatabase;
      const view = roleView(context.values.get(kUser));
      if (request.table === undefined) {
        if (database === "system") checkDescribable(view, database);
        throw invalid("'table' is required");
      }
      checkDescribable(view, database, request.table);
      return { table: describe(requireTable(database, request.table), view) };
    },

    async createDatabase(request) {
      const database = request.database ?? defaultDatabase;
      const errors = nameErrors([[request.database, "database"]]);
      if (errors.length) throw invalid(errors.join(". "));
      await translating(() => storage.createDatabase(database), { ALREADY_EXISTS: Code.InvalidArgument });
      return { message: `database '${database}' successfully created` };
    },

    async dropDatabase(request) {
      if (request.database === undefined) throw invalid("'database' is required");
      const database = request.database;
      if (database === "system") throw forbiddenSystem();
      await translating(() => storage.dropDatabase(database));
      return { message: `successfully deleted '${database}'` };
    },

    async createTable(request) {
      // Harper copies database -> schema and primary_key -> hash_attribute before validating, so
      // its messages can name either key (spec databases-tables.md §6).
      const checks: Array<[unknown, string]> = [];
      if (request.database !== undefined) checks.push([request.database, "database"], [request.database, "schema"]);
      const errors = nameErrors(checks);
      if (request.table === undefined) errors.push("'table' is required");
      else errors.push(...nameErrors([[request.table, "table"]]));
      if (request.primaryKey === undefined) errors.push("'primary_key' is required");
      else errors.push(...nameErrors([[request.primaryKey, "hash_attribute"]]));
      if (errors.length) throw invalid(errors.join(". "));
      if (request.residence.length) {
        throw invalid("Clustering does not appear to be enabled. Cannot insert table with property 'residence'.");
      }
      // Harper refuses a negative expiration with this text (a 500 there) and takes 0 as "records
      // never expire" (it describes the table with "0s"; here it has no expiration at all).
      if (request.expiration !== undefined && request.expiration < 0) throw invalid("Expiration can not be negative");
      const expiration = request.expiration === 0 ? undefined : request.expiration;
      const database = request.database ?? defaultDatabase;
      if (database === "system") throw forbiddenSystem();
      const table = request.table!;
      const attributes = request.attributes.length
        ? request.attributes.map((a) => ({
            name: a.name ?? "",
            type: a.type,
            // Declared attributes are indexed only when they say so (Harper's typed tables).
            indexed: a.indexed ?? false,
            isPrimaryKey: a.isPrimaryKey,
            nullable: a.nullable,
            elements: a.elements,
          }))
        : undefined;
      await translating(
        () =>
          storage.createTable(database, {
            name: table,
            primaryKey: request.primaryKey!,
            attributes,
            audit: request.audit,
            expiration,
          }),
        { ALREADY_EXISTS: Code.InvalidArgument },
      );
      return { message: `table '${database}.${table}' successfully created.` };
    },

    async dropTable(request) {
      if (request.table === undefined) throw invalid("'table' is required");
      const database = request.database ?? defaultDatabase;
      if (database === "system") throw forbiddenSystem();
      requireTable(database, request.table);
      await translating(() => storage.dropTable(database, request.table!));
      return { message: `successfully deleted table '${database}.${request.table}'` };
    },

    async createAttribute(request) {
      const database = request.database ?? defaultDatabase;
      const name = request.attribute;
      await translating(async () => {
        validateAttributeName(name);
        if (request.table === undefined) throw invalid("'table' is required");
        const table = requireTable(database, request.table);
        if (table.info.attributes.some((a) => a.name === name)) {
          throw invalid(`attribute '${name}' already exists in ${database}.${request.table}`);
        }
        await table.addAttribute(name!, { indexed: request.indexed ?? true });
      });
      return { message: `attribute '${database}.${request.table}.${name}' successfully created.` };
    },

    async dropAttribute(request) {
      if (request.attribute === undefined) throw invalid("'attribute' is required");
      if (request.table === undefined) throw invalid("'table' is required");
      const database = request.database ?? defaultDatabase;
      if (database === "system") throw forbiddenSystem();
      const table = requireTable(database, request.table);
      const name = request.attribute;
      if (name === "__createdtime__" || name === "__updatedtime__") {
        throw invalid(`cannot drop internal timestamp attribute: ${name}`);
      }
      if (name === table.info.primaryKey) throw invalid("You cannot drop a hash attribute");
      await translating(async () => {
        if (table.info.attributes.some((a) => a.name === name)) await table.dropAttribute(name);
      });
      return { message: `successfully deleted attribute '${name}'` };
    },
  };
}
