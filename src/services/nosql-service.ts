import { Code } from "@connectrpc/connect";
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import { fromJson } from "@bufbuild/protobuf";
import type { JsonObject, JsonValue } from "@bufbuild/protobuf";
import { ValueSchema } from "@bufbuild/protobuf/wkt";
import type { ListValue, Value } from "@bufbuild/protobuf/wkt";
import type { NoSqlService } from "../../gen/harper/v1/nosql_service_pb.js";
import { kUser } from "../auth/context.js";
import { kReadableAttributes } from "../auth/permissions.js";
import { errorReason, plainOfValue } from "../contract/index.js";
import { superUserWritableTables } from "../auth/system-database.js";
import { defaultDatabase, systemDatabase } from "../storage/index.js";
import type { Id, Storage, Table } from "../storage/index.js";
import { findTable } from "./find-table.js";
import { createProjection } from "./projection.js";
import { buildConditionsQuery, buildValueQuery, checkConditionLimits, checkPaging, defaultSearchLimits } from "./search-query.js";
import type { SearchLimits } from "./search-query.js";
import { forbiddenSystem, invalid, notFound, translating } from "./storage-errors.js";
import { checkSystemRecords, keepsSuperUser } from "./system-records.js";

/**
 * The plain values of a ListValue field, or undefined when the field was not sent. Numbers are
 * kept as they are, Infinity and NaN included (a JSON number too large for a double, `1e400`, is
 * Infinity, and gRPC clients can send either): the checks that follow refuse them where they
 * cannot be used (primary keys) instead of the conversion failing.
 */
export function listOf(list: ListValue | undefined): JsonValue[] | undefined {
  return list === undefined ? undefined : list.values.map(plainOfValue);
}

/** The plain value of a Value field (numbers as listOf keeps them), or undefined when not sent. */
export function valueOf(value: Value | undefined): JsonValue | undefined {
  return value === undefined ? undefined : plainOfValue(value);
}

/** The message for a primary key that is a number but not a finite one, if `ids` has one. */
function nonFiniteId(ids: readonly JsonValue[]): string | undefined {
  const bad = ids.find((id) => typeof id === "number" && !Number.isFinite(id));
  return bad === undefined ? undefined : `Invalid primary key: ${String(bad)}`;
}

const toValue = (id: Id | null): Value => fromJson(ValueSchema, id);
const invalidKeys = new Set(["", "null", "undefined", "__proto__"]);

/**
 * insert, update, upsert, delete and the three searches (spec nosql.md), over the storage core.
 * `limits` (settings.limits) bound the conditions of one search_by_conditions. In `system`, only
 * hdb_nodes, hdb_role and hdb_user are written here (the permission check lets super users do
 * that, as Harper does), with records checked by system-records.ts; `usersChanged` runs after
 * every write of hdb_user or hdb_role, so that the change counts from the next request.
 */
export function createNoSqlService(
  storage: Storage,
  limits: SearchLimits = defaultSearchLimits,
  usersChanged: () => void = () => {},
): ServiceImpl<typeof NoSqlService> {
  /** Refuses a write of a system table other than the three, and reports changes of users and roles. */
  const systemWrite = async <T>(table: Table, change: () => Promise<T>): Promise<T> => {
    if (table.info.database !== systemDatabase) return change();
    if (!superUserWritableTables.has(table.info.name)) throw forbiddenSystem();
    try {
      return await change();
    } finally {
      if (table.info.name !== "hdb_nodes") usersChanged();
    }
  };
  /** The table a request names; `missing` is the status Harper answers for an unknown one. */
  const tableOf = (request: { table?: string; database?: string }, missing: Code): Table => {
    if (request.table === undefined) throw invalid("'table' is required");
    return findTable(storage, request.database, request.table, missing);
  };

  const write = async (
    kind: "insert" | "update" | "upsert",
    request: { table?: string; database?: string; records?: ListValue },
    context: HandlerContext,
  ) => {
    if (request.table === undefined) throw invalid("'table' is required");
    const records = listOf(request.records);
    if (records === undefined) throw invalid("'records' is required");
    const bad = records.findIndex((r) => r === null || typeof r !== "object" || Array.isArray(r));
    if (bad >= 0) throw invalid(`'records[${bad}]' must be of type object`);
    const badKeys = new Set<string>();
    for (const record of records as JsonObject[]) for (const key of Object.keys(record)) if (invalidKeys.has(key)) badKeys.add(key);
    if (badKeys.size) throw invalid([...badKeys].map((k) => `Invalid attribute name: '${k}'`).join(". "));
    const table = tableOf(request, Code.InvalidArgument);
    if (table.info.database === systemDatabase) {
      checkSystemRecords(storage, table.info.name, kind, records as JsonObject[]);
      keepsSuperUser(storage, table.info.name, { kind, records: records as JsonObject[] });
    }
    const user = context.values.get(kUser)?.username;
    const result = await systemWrite(table, () => translating(() => table.write(kind, records as JsonObject[], { user })));
    // Every written key, generated ones included (Harper 4.7 reports a generated key as null).
    const written = result.written.map((w) => toValue(w.id));
    const skipped = result.skipped.map(toValue);
    const total = written.length + skipped.length;
    return { written, skipped, total };
  };

  return {
    async insert(request, context) {
      const { written, skipped, total } = await write("insert", request, context);
      return { message: `inserted ${written.length} of ${total} records`, insertedHashes: written, skippedHashes: skipped };
    },

    async update(request, context) {
      const { written, skipped, total } = await write("update", request, context);
      return { message: `updated ${written.length} of ${total} records`, updateHashes: written, skippedHashes: skipped };
    },

    async upsert(request, context) {
      const { written, total } = await write("upsert", request, context);
      return { message: `upserted ${written.length} of ${total} records`, upsertedHashes: written };
    },

    async delete(request, context) {
      if (request.table === undefined) throw invalid("'table' is required");
      const ids = listOf(request.ids);
      if (ids === undefined) throw invalid("'hash_values' is required");
      for (const id of ids) {
        if (typeof id !== "string" && typeof id !== "number") {
          throw invalid(`Invalid primary key type: ${id === null ? "null" : Array.isArray(id) ? "array" : typeof id}`);
        }
      }
      const nonFinite = nonFiniteId(ids);
      if (nonFinite) throw invalid(nonFinite);
      const table = tableOf(request, Code.NotFound);
      if (table.info.database === systemDatabase) keepsSuperUser(storage, table.info.name, { kind: "delete", ids: ids as Id[] });
      const user = context.values.get(kUser)?.username;
      await systemWrite(table, () => translating(() => table.deleteRecords(ids as Id[], { user })));
      // Harper reports every requested id as deleted, existing or not (spec nosql.md §3).
      return {
        message: `${ids.length} of ${ids.length} record${ids.length === 1 ? "" : "s"} successfully deleted`,
        deletedHashes: ids.map((id) => toValue(id as Id)),
        skippedHashes: [],
      };
    },

    searchById(request, context) {
      const errors: string[] = [];
      if (request.table === undefined) errors.push("'table' is required");
      const ids = listOf(request.ids);
      if (ids === undefined) errors.push("'hash_values' is required");
      else if (ids.some((id) => typeof id !== "string" && typeof id !== "number")) {
        errors.push("'hash_values' must be strings or numbers");
      } else {
        const nonFinite = nonFiniteId(ids);
        if (nonFinite) errors.push(nonFinite);
      }
      const getAttributes = listOf(request.getAttributes);
      if (getAttributes === undefined) errors.push("'get_attributes' is required");
      else if (getAttributes.length === 0) errors.push("'get_attributes' must contain at least 1 item");
      if (errors.length) throw invalid(errors.join(". "));
      const table = tableOf(request, Code.NotFound);
      const project = createProjection(table.info, getAttributes, context.values.get(kReadableAttributes));
      const records: JsonObject[] = [];
      for (const record of table.getMany(ids as Id[])) if (record) records.push(project(record));
      return { records };
    },

    searchByValue(request, context) {
      if (request.attribute === undefined) throw invalid("'attribute' is required");
      const value = valueOf(request.value);
      if (value === undefined) throw invalid("'value' is required");
      const getAttributes = listOf(request.getAttributes);
      const paging = checkPaging(request.limit, request.offset, getAttributes);
      const table = tableOf(request, Code.NotFound);
      const project = createProjection(table.info, getAttributes, context.values.get(kReadableAttributes), true);
      const query = buildValueQuery(table.info, request.attribute, value, {
        ...paging,
        reverse: request.desc,
        sort: request.sort,
      });
      return { records: Array.from(table.search(query), project) };
    },

    searchByConditions(request, context) {
      if (request.conditions.length === 0) {
        throw errorReason("CONDITIONS_EMPTY", "'conditions' must contain at least 1 items");
      }
      checkConditionLimits(request.conditions, limits);
      const getAttributes = listOf(request.getAttributes);
      const paging = checkPaging(request.limit, request.offset, getAttributes);
      if (request.database !== undefined && !storage.hasDatabase(request.database)) {
        throw notFound(`database '${request.database}' does not exist`);
      }
      const database = request.database ?? defaultDatabase;
      const table = request.table === undefined ? undefined : storage.table(database, request.table);
      if (!table) {
        if (!storage.hasDatabase(database)) throw notFound(`database '${database}' does not exist`);
        throw invalid(`Table ${request.table} not found`);
      }
      const project = createProjection(table.info, getAttributes, context.values.get(kReadableAttributes), true);
      const query = buildConditionsQuery(table.info, request, paging);
      return { records: Array.from(table.search(query), project) };
    },
  };
}
