import { basename, extname, join } from "node:path";
import { createReadStream } from "node:fs";
import type { JsonObject, JsonValue } from "@bufbuild/protobuf";
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import { ConnectError } from "@connectrpc/connect";
import type { BulkS3Object, BulkService } from "../../gen/harper/v1/bulk_service_pb.js";
import { isSuperUser, kUser } from "../auth/context.js";
import type { AuthUser } from "../auth/context.js";
import { permissionErrorText } from "../auth/permission-error.js";
import { attributeProblems, tableAccess } from "../auth/table-access.js";
import { csvBatches } from "../bulk/csv/parse-csv.js";
import { jsonCell } from "../bulk/csv/cell-value.js";
import { writeFileAtomically } from "../bulk/export/atomic-file.js";
import { exportChunks } from "../bulk/export/export-format.js";
import { loadBatches } from "../bulk/load-records.js";
import { downloadObject, uploadObject } from "../bulk/s3/s3-client.js";
import type { S3Target } from "../bulk/s3/s3-client.js";
import { PathError, checkPublicHost, resolveExportFolder, resolveReadableFile } from "../bulk/server-paths.js";
import { openCsvUrl } from "../bulk/url-source.js";
import type { BulkSettings } from "../config/index.js";
import { JobFailure, jobStarted, storedRequest } from "../jobs/job-manager.js";
import type { JobManager, JobProgress } from "../jobs/job-manager.js";
import type { OperationRunner } from "../server/internal-operations.js";
import { createdTimeAttribute, defaultDatabase } from "../storage/index.js";
import type { Id, Storage, StorageRecord, Table, WriteKind } from "../storage/index.js";
import { isoTime } from "./iso-time.js";
import { invalid } from "./storage-errors.js";

/** What the bulk operations need besides the storage. */
export interface BulkDependencies {
  storage: Storage;
  jobs: JobManager;
  settings: BulkSettings;
  /** Runs an export's embedded search (resolved late: the runner needs every service). */
  runOperation: () => OperationRunner;
}

const actions: ReadonlySet<string> = new Set(["insert", "update", "upsert"]);
const batchSize = 1000;
const s3Fields = ["aws_access_key_id", "aws_secret_access_key", "bucket", "key", "region"] as const;
const exportSearches = ["search_by_value", "search_by_hash", "sql", "search_by_conditions"];

/**
 * The bulk operations (spec bulk-jobs.md): CSV loads from text, a server file, a URL or S3,
 * exports to a server folder or S3, and delete_records_before. Each checks its request at once
 * (an HTTP error, no job), then answers `Starting job with id ...` and does the work as a job.
 */
export function createBulkService(deps: BulkDependencies): ServiceImpl<typeof BulkService> {
  const { storage, jobs, settings } = deps;

  /** The table of a load, or Harper's 400s. */
  const loadTable = (database: string, name: string): Table => {
    if (!storage.hasDatabase(database)) throw invalid(`database '${database}' does not exist`);
    const table = storage.table(database, name);
    if (!table) throw invalid(`Table '${database}.${name}' does not exist`);
    return table;
  };

  /** Harper's "flat" validator messages for the table and action of data/file/s3 loads. */
  const flatChecks = (request: { table?: string; action?: string }): string[] => {
    const problems: string[] = [];
    if (request.table === undefined || request.table === "") problems.push("Table can't be blank");
    else if (/[/`]/.test(request.table)) problems.push("Table names cannot include backticks or forward slashes");
    if (request.action !== undefined && !actions.has(request.action)) problems.push("Action is required and must be either insert, update, or upsert");
    return problems;
  };

  const userOf = (context: HandlerContext) => context.values.get(kUser);

  /** Starts a load job: batches parsed by `open`, written with the action, checked against the role. */
  const startLoad = async (
    type: string,
    context: HandlerContext,
    table: Table,
    action: WriteKind,
    request: Record<string, unknown>,
    open: () => Promise<AsyncIterable<StorageRecord[]>>,
  ) => {
    const user = userOf(context);
    const check = attributeCheck(user, table, action);
    const id = await jobs.start(type, user?.username ?? "", request, async (progress: JobProgress) =>
      loadBatches(table, action, await open(), { user: user?.username, progress, check }),
    );
    return jobStarted(id);
  };

  const typesOf = (table: Table) => new Map(table.info.attributes.filter((a) => a.type && a.type !== "Any").map((a) => [a.name, a.type!]));

  return {
    async csvDataLoad(request, context) {
      const problems = flatChecks(request);
      if (request.data === undefined) problems.push("Data  is required");
      if (problems.length) throw invalid(problems.join(","));
      const database = request.database ?? defaultDatabase;
      const table = loadTable(database, request.table!);
      const action = (request.action ?? "insert") as WriteKind;
      const data = request.data!;
      return startLoad("csv_data_load", context, table, action, storedRequest(request), async () =>
        csvBatches(data, { types: typesOf(table), jsonCells: false, keepExtra: true, batchSize }),
      );
    },

    async csvFileLoad(request, context) {
      const problems = flatChecks(request);
      if (request.filePath === undefined || request.filePath === "") problems.push("File path  is required");
      if (problems.length) throw invalid(problems.join(","));
      const database = request.database ?? defaultDatabase;
      const table = loadTable(database, request.table!);
      const allowed = isSuperUser(userOf(context)) ? settings.superUserPaths : settings.userPaths;
      const path = await pathOrError(() => resolveReadableFile(request.filePath!, allowed));
      const action = (request.action ?? "insert") as WriteKind;
      return startLoad("csv_file_load", context, table, action, storedRequest(request), async () =>
        csvBatches(createReadStream(path), { types: typesOf(table), jsonCells: true, keepExtra: false, batchSize }),
      );
    },

    async csvUrlLoad(request, context) {
      if (request.action !== undefined && !actions.has(request.action)) throw invalid("'action' must be one of [insert, update, upsert]");
      if (request.table === undefined || request.table === "") throw invalid("'table' is required");
      if (request.csvUrl === undefined || request.csvUrl === "") throw invalid("'csv_url' is required");
      let url: URL;
      try {
        url = new URL(request.csvUrl);
      } catch {
        throw invalid("'csv_url' must be a valid url");
      }
      if (url.protocol !== "http:" && url.protocol !== "https:") throw invalid("'csv_url' must be a valid url");
      const database = request.database ?? defaultDatabase;
      const table = loadTable(database, request.table);
      const publicOnly = !isSuperUser(userOf(context));
      if (publicOnly) {
        try {
          await checkPublicHost(url.hostname);
        } catch (error) {
          throw invalid(`'csv_url' must be a public address: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      const action = (request.action ?? "insert") as WriteKind;
      const headers = { ...request.passthroughHeaders };
      const href = request.csvUrl;
      return startLoad("csv_url_load", context, table, action, storedRequest(request), async () => {
        const body = await openCsvUrl(href, { headers, timeoutMs: settings.urlTimeout, publicOnly });
        return csvBatches(body, { types: typesOf(table), jsonCells: true, keepExtra: false, batchSize });
      });
    },

    async importFromS3(request, context) {
      const problems = flatChecks(request);
      problems.push(...s3Problems(request.s3));
      if (problems.length) throw invalid(problems.join(","));
      const key = request.s3!.key!;
      const extension = extname(key).toLowerCase();
      if (extension !== ".csv" && extension !== ".json") {
        throw invalid("S3 key must include one of the following valid file extensions - '.csv', '.json'");
      }
      const database = request.database ?? defaultDatabase;
      const table = loadTable(database, request.table!);
      const action = (request.action ?? "insert") as WriteKind;
      const target = s3Target(request.s3!, settings);
      return startLoad("import_from_s3", context, table, action, redactS3(storedRequest(request)), async () => {
        const { body } = await downloadObject(target);
        if (extension === ".csv") return csvBatches(body, { types: typesOf(table), jsonCells: true, keepExtra: false, batchSize });
        return jsonBatches(body, 5000);
      });
    },

    async exportLocal(request, context) {
      const user = userOf(context);
      const runner = deps.runOperation();
      const body = storedRequest(request);
      const id = await jobs.start("export_local", user?.username ?? "", body, async () => {
        const format = exportFormat(request.format);
        const search = searchOf(request.searchOperation);
        if (request.path === undefined || request.path === "") throw new Error("path is missing.");
        const folder = await resolveExportFolder(request.path.replace(/\/+$/, "") || "/", settings.superUserPaths);
        const { rows, columns } = await runSearch(runner, search, user!);
        const base = String(request.filename || Date.now());
        if (base !== basename(base) || base === "." || base === ".." || base.includes("\\")) {
          throw new Error(`filename '${base}' must be a file name, without folders`);
        }
        const name = `${base}.${format}`;
        const path = join(folder, name);
        await writeFileAtomically(path, exportChunks(rows, format, columns));
        return { message: `Successfully exported ${format.toUpperCase()} locally.`, path };
      });
      return jobStarted(id);
    },

    async exportToS3(request, context) {
      const user = userOf(context);
      const runner = deps.runOperation();
      const id = await jobs.start("export_to_s3", user?.username ?? "", redactS3(storedRequest(request)), async () => {
        const format = exportFormat(request.format);
        const search = searchOf(request.searchOperation);
        const s3 = request.s3;
        if (!s3 || s3Fields.every((field) => fieldOf(s3, field) === undefined)) throw new Error("S3 object is missing.");
        for (const field of s3Fields) if (fieldOf(s3, field) === undefined) throw new Error(`${field} is missing.`);
        const { rows, columns } = await runSearch(runner, search, user!);
        const target = s3Target(s3, settings);
        target.key = `${target.key}.${format}`;
        return uploadObject(target, chunksAsBytes(exportChunks(rows, format, columns)), format === "json" ? "application/json" : "text/csv");
      });
      return jobStarted(id);
    },

    async deleteRecordsBefore(request, context) {
      if (request.date === undefined || request.date === "") throw invalid("'date' is required");
      if (isoTime(request.date) === undefined) throw invalid("'date' must be in ISO 8601 date format");
      if (request.table === undefined || request.table === "") throw invalid("'table' is required");
      const database = request.database ?? defaultDatabase;
      const name = request.table;
      const cutoff = Date.parse(request.date);
      const user = userOf(context);
      const id = await jobs.start("delete_records_before", user?.username ?? "", storedRequest(request), async (progress) => {
        const table = storage.hasDatabase(database) ? storage.table(database, name) : undefined;
        if (!table) throw new Error(`Table '${database}.${name}' does not exist`);
        return deleteBefore(table, cutoff, progress, user?.username);
      });
      return jobStarted(id);
    },
  };
}

/** Resolves a server path, turning the policy's refusals into Harper's 400s. */
async function pathOrError(resolve: () => Promise<string>): Promise<string> {
  try {
    return await resolve();
  } catch (error) {
    if (error instanceof PathError) throw invalid(error.message);
    throw error;
  }
}

/** The role's attribute rules against the keys of each batch (spec bulk-jobs.md §7): a refusal ends the job with the PERM-403 object. */
function attributeCheck(user: AuthUser | undefined, table: Table, action: WriteKind): ((batch: readonly StorageRecord[]) => void) | undefined {
  if (!user || isSuperUser(user)) return undefined;
  const info = table.info;
  const access = tableAccess(user, info.database, info.name, info.primaryKey);
  if (typeof access === "string" || !access.restricted) return undefined;
  const needed: Array<"insert" | "update"> = action === "upsert" ? ["insert", "update"] : [action];
  const checked = new Set<string>();
  return (batch) => {
    const fresh = new Set<string>();
    for (const record of batch) for (const key of Object.keys(record)) if (!checked.has(key)) fresh.add(key);
    for (const key of fresh) checked.add(key);
    const { invisible, required } = attributeProblems(access, `${info.database}.${info.name}`, fresh, needed);
    if (invisible.length) throw new JobFailure({ error: permissionErrorText, unauthorized_access: [], invalid_schema_items: invisible });
    if (required.length) {
      throw new JobFailure({
        error: permissionErrorText,
        unauthorized_access: [{ schema: info.database, table: info.name, required_table_permissions: [], required_attribute_permissions: required }],
        invalid_schema_items: [],
      });
    }
  };
}

function fieldOf(s3: BulkS3Object, field: (typeof s3Fields)[number]): string | undefined {
  const value = {
    aws_access_key_id: s3.awsAccessKeyId,
    aws_secret_access_key: s3.awsSecretAccessKey,
    bucket: s3.bucket,
    key: s3.key,
    region: s3.region,
  }[field];
  return value === "" ? undefined : value;
}

/** Harper's list for a missing or incomplete `s3` object (spec §4.2). */
function s3Problems(s3: BulkS3Object | undefined): string[] {
  const problems = s3 ? [] : ["S3 can't be blank"];
  for (const field of s3Fields) {
    if (!s3 || fieldOf(s3, field) === undefined) problems.push(`S3 ${field.replace(/_/g, " ")} can't be blank`);
  }
  return problems;
}

function s3Target(s3: BulkS3Object, settings: BulkSettings): S3Target {
  return {
    accessKeyId: s3.awsAccessKeyId!,
    secretAccessKey: s3.awsSecretAccessKey!,
    bucket: s3.bucket!,
    key: s3.key!,
    region: s3.region!,
    endpoint: settings.s3Endpoint,
    forcePathStyle: settings.s3ForcePathStyle,
  };
}

/** The stored request of an S3 job, without the secret key. */
function redactS3(request: Record<string, unknown>): Record<string, unknown> {
  const s3 = request["s3"] as Record<string, unknown> | undefined;
  if (!s3 || !("aws_secret_access_key" in s3 || "awsSecretAccessKey" in s3)) return request;
  const copy = { ...s3 };
  delete copy["aws_secret_access_key"];
  delete copy["awsSecretAccessKey"];
  return { ...request, s3: copy };
}

function exportFormat(format: string | undefined): "json" | "csv" {
  if (format === undefined || format === "") throw new Error("format missing");
  if (format !== "json" && format !== "csv") throw new Error("format invalid. must be one of the following values: json, csv");
  return format;
}

/** The embedded search of an export, checked as Harper checks it (spec §5.1). */
function searchOf(search: JsonObject | undefined): JsonObject {
  if (search === undefined) throw new Error("Cannot read properties of undefined (reading 'operation')");
  const operation = search["operation"];
  if (operation === undefined || operation === null || operation === "") throw new Error("search_operation.operation missing");
  if (typeof operation !== "string" || !exportSearches.includes(operation)) {
    throw new Error(`searchOperation.operation must be one of the following values: ${exportSearches.join(", ")}`);
  }
  return search;
}

/** Runs an export's search; the CSV columns are the NoSQL search's get_attributes (`*`: every attribute). */
async function runSearch(runner: OperationRunner, search: JsonObject, user: AuthUser): Promise<{ rows: Array<Record<string, unknown>>; columns?: string[] }> {
  let answer: JsonValue;
  try {
    answer = await runner(search, user);
  } catch (error) {
    throw new Error(error instanceof ConnectError ? error.rawMessage : error instanceof Error ? error.message : String(error));
  }
  const rows = (Array.isArray(answer) ? answer : []) as Array<Record<string, unknown>>;
  const attributes = search["get_attributes"];
  if (search["operation"] === "sql" || !Array.isArray(attributes)) return { rows };
  if (attributes[0] === "*") {
    const keys = new Set<string>();
    for (const row of rows) for (const key of Object.keys(row)) keys.add(key);
    return { rows, columns: [...keys] };
  }
  return { rows, columns: [...new Set(attributes.map(String))] };
}

async function* chunksAsBytes(chunks: AsyncIterable<string>): AsyncGenerator<Uint8Array> {
  for await (const chunk of chunks) yield Buffer.from(chunk);
}

/** The records of a JSON file (an array of objects), in batches, strings through the JSON-cell step. */
async function* jsonBatches(body: AsyncIterable<Uint8Array>, size: number): AsyncGenerator<StorageRecord[]> {
  const parts: Buffer[] = [];
  for await (const chunk of body) parts.push(Buffer.from(chunk));
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.concat(parts).toString("utf8"));
  } catch (error) {
    throw new Error(`The JSON file could not be parsed: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!Array.isArray(parsed) || parsed.some((item) => item === null || typeof item !== "object" || Array.isArray(item))) {
    throw new Error("The JSON file must hold an array of objects");
  }
  for (let i = 0; i < parsed.length; i += size) {
    yield (parsed.slice(i, i + size) as StorageRecord[]).map((record) =>
      Object.fromEntries(Object.entries(record).map(([key, value]) => [key, jsonCell(value)])),
    );
  }
}

/** delete_records_before's work (spec §6): every record created before the cutoff, in chunks of 10 000. */
async function deleteBefore(table: Table, cutoff: number, progress: JobProgress, user: string | undefined): Promise<string> {
  if (!table.info.attributes.some((a) => a.name === createdTimeAttribute)) {
    throw new Error("Table must have a '__createdtime__' attribute or @createdTime timestamp defined to perform this operation");
  }
  const ids: Id[] = [];
  if (table.isIndexed(createdTimeAttribute)) {
    const seen = new Set<Id>();
    for (const { id } of table.indexRange(createdTimeAttribute, { end: cutoff })) if (!seen.has(id)) seen.add(id), ids.push(id);
  } else {
    for (const record of table.scan()) {
      const created = record[createdTimeAttribute];
      if (typeof created === "number" && created < cutoff) ids.push(record[table.info.primaryKey] as Id);
    }
  }
  if (ids.length === 0) return "No records found to delete";
  let deleted = 0;
  for (let i = 0; i < ids.length; i += 10_000) {
    deleted += (await table.deleteRecords(ids.slice(i, i + 10_000), { user })).length;
    progress.update({ records_deleted: deleted, records_found: ids.length });
  }
  return `${deleted} of ${ids.length} record${ids.length === 1 ? "" : "s"} successfully deleted`;
}
