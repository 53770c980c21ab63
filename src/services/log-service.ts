import type { JsonObject, JsonValue } from "@bufbuild/protobuf";
import { toJson } from "@bufbuild/protobuf";
import { ValueSchema } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import type { LogService } from "../../gen/harper/v1/log_service_pb.js";
import { kUser } from "../auth/context.js";
import { valueOfPlain } from "../contract/index.js";
import { jobStarted, storedRequest } from "../jobs/job-manager.js";
import type { JobManager } from "../jobs/job-manager.js";
import { readLogFile } from "../log/read-log.js";
import { rotatedLogs } from "../log/rotation.js";
import type { LogQuery as FileQuery } from "../log/read-log.js";
import { defaultDatabase } from "../storage/index.js";
import { findJobTable, findTable } from "./find-table.js";
import type { LogEntry, LogQuery, Storage, Table } from "../storage/index.js";
import { isoTime } from "./iso-time.js";
import { invalid } from "./storage-errors.js";

/** What the log operations need. */
export interface LogDependencies {
  storage: Storage;
  jobs: JobManager;
  /** `<logging.root>/hdb.log`. */
  logFile: string;
  /** Where rotated log files go (logging.rotation.path). */
  rotationPath: string;
  /** Waits until every log line written so far is in the file. */
  flushLog: () => Promise<void>;
  /** `logging.auditLog`. */
  auditLog: boolean;
}

const levels = ["notify", "fatal", "error", "warn", "info", "debug", "trace"];
const searchTypes = new Set(["hash_value", "timestamp", "username"]);

/**
 * An audit entry as read_audit_log's timestamp mode answers it (spec system-config-logs.md §7.2),
 * with the before-images when asked (a harper-ops addition).
 */
function grouped(entry: LogEntry, originals = false): JsonObject {
  const out: JsonObject = {
    operation: entry.operation,
    user_name: entry.user ?? null,
    timestamp: entry.timestamp,
    hash_values: entry.hash_values as JsonValue[],
    records: (entry.records ?? entry.hash_values.map(() => null)) as JsonValue[],
  };
  if (originals) out["original_records"] = (entry.original_records ?? entry.hash_values.map(() => null)) as JsonValue[];
  return out;
}

/** One record's history entry of read_audit_log's hash_value mode. */
function history(entry: LogEntry, index: number): JsonObject {
  const record = entry.records?.[index] ?? null;
  return {
    operation: entry.operation === "delete" ? "delete" : "upsert",
    timestamp: entry.timestamp,
    user_name: entry.user ?? null,
    hash_values: [entry.hash_values[index] as JsonValue],
    records: [record as JsonValue],
  };
}

/** read_log, the audit and transaction logs and their deletions (spec system-config-logs.md §6-§7). */
export function createLogService(deps: LogDependencies): ServiceImpl<typeof LogService> {
  const { storage, jobs } = deps;

  /** The table of a log operation; Harper's 404s. */
  const tableOf = (database: string, name: string): Table => findTable(storage, database, name);
  const requireAudit = (table: Table) => {
    if (!deps.auditLog || !table.info.audit) throw invalid("To use this operation audit log must be enabled in harperdb-config.yaml");
  };
  const timeOf = (value: unknown): number | undefined => {
    if (typeof value === "number" && Number.isFinite(value)) return value;
    if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) return Number(value);
    return undefined;
  };

  /** A job deleting a table's audit entries older than `before`. */
  const startPurge = async (type: string, user: string, database: string, name: string, before: number, request: Record<string, unknown>) => {
    const id = await jobs.start(type, user, request, async (_progress, jobId) => {
      const table = findJobTable(storage, database, name);
      await table.purgeLog(before);
      return `Successfully completed job: ${jobId}`;
    });
    return jobStarted(id);
  };

  return {
    async readLog(request) {
      const problems: string[] = [];
      const start = request.start ?? 0;
      const limit = request.limit ?? 1000;
      if (start < 0) problems.push("'start' must be greater than or equal to 0");
      if (limit < 1) problems.push("'limit' must be greater than or equal to 1");
      if (request.level !== undefined && !levels.includes(request.level)) problems.push(`'level' must be one of [${levels.join(", ")}]`);
      const date = (key: string, value: string | undefined) => {
        if (value === undefined) return undefined;
        const time = isoTime(value);
        if (time === undefined) problems.push(`'${key}' date '${value}' is invalid.`);
        return time;
      };
      const from = date("from", request.from);
      const to = request.until !== undefined ? date("until", request.until) : date("to", request.to);
      if (request.order !== undefined && request.order !== "asc" && request.order !== "desc") problems.push("'order' must be one of [asc, desc]");
      const logName = request.logName ?? "hdb.log";
      if (!["hdb.log", "install.log", "clustering_hub.log", "clustering_leaf.log"].includes(logName)) problems.push(`'log_name' '${logName}' is invalid.`);
      if (problems.length) throw invalid(problems.join(". "));
      if (logName !== "hdb.log") throw invalid(`'log_name' '${logName}' does not exist.`);
      await deps.flushLog();
      const query: FileQuery = { start, limit, level: request.level, from, to, order: request.order as FileQuery["order"], filter: request.filter };
      const lines = await readLogFile([...rotatedLogs(deps.rotationPath), deps.logFile], query);
      return { entries: lines.map((line) => ({ ...line })) };
    },

    async readTransactionLog(request) {
      const problems: string[] = [];
      if (request.table === undefined || request.table === "") problems.push("'table' is required");
      if (request.limit !== undefined && request.limit < 1) problems.push("'limit' must be greater than or equal to 1");
      if (problems.length) throw invalid(problems.join(". "));
      const table = tableOf(request.database ?? defaultDatabase, request.table!);
      requireAudit(table);
      const query: LogQuery = { from: request.from ?? 0, to: request.to, limit: request.limit };
      const originals = request.includeOriginalRecords === true;
      return { entries: [...table.readLog(query)].map((entry) => auditEntry(grouped(entry, originals))) };
    },

    async deleteTransactionLogsBefore(request, context) {
      const problems: string[] = [];
      if (request.table === undefined || request.table === "") problems.push("'table' is required");
      if (request.timestamp === undefined) problems.push("'timestamp' is required");
      if (problems.length) throw invalid(problems.join(". "));
      const user = context.values.get(kUser)?.username ?? "";
      return startPurge("delete_transaction_logs_before", user, request.database ?? defaultDatabase, request.table!, request.timestamp!, storedRequest(request));
    },

    async readAuditLog(request) {
      if (request.schema === undefined || request.schema === "") throw invalid("database is required");
      if (request.table === undefined || request.table === "") throw invalid("table is required");
      const table = tableOf(request.schema, request.table);
      requireAudit(table);
      const searchType = request.searchType ?? "timestamp";
      if (!searchTypes.has(searchType)) throw invalid(`Invalid searchType '${searchType}'`);
      const values = request.searchValues.map((v) => toJson(ValueSchema, v));
      const originals = request.includeOriginalRecords === true;
      let result: JsonValue;
      if (searchType === "timestamp") {
        const from = values.length > 0 ? timeOf(values[0]) : undefined;
        const to = values.length > 1 ? timeOf(values[1]) : undefined;
        result = [...table.readLog({ from, to, limit: request.limit })].map((entry) => grouped(entry, originals));
      } else if (searchType === "hash_value") {
        const byId: JsonObject = {};
        for (const id of values) {
          const key = String(id);
          const entries: JsonObject[] = [];
          for (const entry of table.readLog({ ids: [id as string | number] })) {
            entry.hash_values.forEach((value, index) => {
              if (value === id) entries.push(history(entry, index));
            });
          }
          byId[key] = entries;
        }
        result = byId;
      } else {
        const byUser: JsonObject = {};
        for (const name of values) {
          const entries = [...table.readLog({ user: String(name) })].map((entry) => grouped(entry, originals));
          if (entries.length) byUser[String(name)] = entries;
        }
        result = byUser;
      }
      return { result: valueOfPlain(result) };
    },

    async deleteAuditLogsBefore(request, context) {
      if (request.timestamp === undefined) throw invalid("'timestamp' is required");
      if (!Number.isFinite(request.timestamp)) throw invalid("'timestamp' is invalid");
      if (request.table === undefined || request.table === "") throw invalid("'table' is required");
      const user = context.values.get(kUser)?.username ?? "";
      return startPurge("delete_audit_logs_before", user, request.database ?? defaultDatabase, request.table, request.timestamp, storedRequest(request));
    },
  };
}

/** An AuditLogEntry message's fields from a plain entry. */
function auditEntry(entry: JsonObject) {
  return {
    operation: String(entry["operation"]),
    userName: String(entry["user_name"] ?? ""),
    timestamp: Number(entry["timestamp"]),
    hashValues: (entry["hash_values"] as JsonValue[]).map(valueOfPlain),
    records: (entry["records"] as JsonValue[]).map(valueOfPlain),
    originalRecords: ((entry["original_records"] as JsonValue[] | undefined) ?? []).map(valueOfPlain),
  };
}
