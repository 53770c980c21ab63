import { extname } from "node:path";
import type { FileHandle } from "node:fs/promises";
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import { Code } from "@connectrpc/connect";
import type { BulkService } from "../../gen/harper/v1/bulk_service_pb.js";
import { isSuperUser, kUser } from "../auth/context.js";
import type { AuthUser } from "../auth/context.js";
import { permissionErrorText } from "../auth/permission-error.js";
import { attributeProblems, tableAccess } from "../auth/table-access.js";
import { csvBatches } from "../bulk/csv/parse-csv.js";
import { jsonCell } from "../bulk/csv/cell-value.js";
import { loadBatches } from "../bulk/load-records.js";
import { downloadObject } from "../bulk/s3/s3-client.js";
import { PathError, checkPublicHost, openReadableFile } from "../bulk/server-paths.js";
import { openCsvUrl } from "../bulk/url-source.js";
import type { BulkSettings } from "../config/index.js";
import { JobFailure, jobStarted, storedRequest } from "../jobs/job-manager.js";
import type { JobManager, JobProgress } from "../jobs/job-manager.js";
import type { Storage, StorageRecord, Table, WriteKind } from "../storage/index.js";
import { redactS3, s3Problems, s3Target } from "./bulk-s3.js";
import { findTable } from "./find-table.js";
import { invalid } from "./storage-errors.js";

/** What the loads need. */
export interface BulkLoadDependencies {
  storage: Storage;
  jobs: JobManager;
  settings: BulkSettings;
}

/** The load operations of the bulk service. */
export type BulkLoads = Pick<ServiceImpl<typeof BulkService>, "csvDataLoad" | "csvFileLoad" | "csvUrlLoad" | "importFromS3">;

const batchSize = 1000;

/**
 * csv_data_load, csv_file_load, csv_url_load and import_from_s3 (spec bulk-jobs.md §3-4): the
 * request and its table are checked at once (Harper's 400s, no job), then the records are parsed
 * and written in batches by a job, each batch checked against the caller's attribute rules.
 */
export function createBulkLoads(deps: BulkLoadDependencies): BulkLoads {
  const { storage, jobs, settings } = deps;

  /** Starts a load job: batches parsed by `open`, written with the action, checked against the role. */
  const startLoad = async (
    type: string,
    context: HandlerContext,
    table: Table,
    action: WriteKind,
    request: Record<string, unknown>,
    open: () => Promise<AsyncIterable<StorageRecord[]>>,
  ) => {
    const user = context.values.get(kUser);
    const check = attributeCheck(user, table, action);
    const id = await jobs.start(type, user?.username ?? "", request, async (progress: JobProgress) =>
      loadBatches(table, action, await open(), { user: user?.username, progress, check }),
    );
    return jobStarted(id);
  };

  return {
    async csvDataLoad(request, context) {
      const problems = flatChecks(request);
      if (request.data === undefined) problems.push("Data  is required");
      if (problems.length) throw invalid(problems.join(","));
      const table = findTable(storage, request.database, request.table!, Code.InvalidArgument);
      const data = request.data!;
      return startLoad("csv_data_load", context, table, actionOf(request.action), storedRequest(request), async () =>
        csvBatches(data, { types: typesOf(table), jsonCells: false, keepExtra: true, batchSize }),
      );
    },

    async csvFileLoad(request, context) {
      const problems = flatChecks(request);
      if (request.filePath === undefined || request.filePath === "") problems.push("File path  is required");
      if (problems.length) throw invalid(problems.join(","));
      const table = findTable(storage, request.database, request.table!, Code.InvalidArgument);
      const allowed = isSuperUser(context.values.get(kUser)) ? settings.superUserPaths : settings.userPaths;
      // Opened and checked now (the refusals are 400s), read later by the job through this descriptor, never by name again.
      const file = await pathOrError(() => openReadableFile(request.filePath!, allowed));
      try {
        return await startLoad("csv_file_load", context, table, actionOf(request.action), storedRequest(request), async () =>
          fileBatches(file.handle, table),
        );
      } catch (error) {
        await file.handle.close().catch(() => undefined);
        throw error;
      }
    },

    async csvUrlLoad(request, context) {
      if (request.action !== undefined && !isWriteKind(request.action)) throw invalid("'action' must be one of [insert, update, upsert]");
      if (request.table === undefined || request.table === "") throw invalid("'table' is required");
      if (request.csvUrl === undefined || request.csvUrl === "") throw invalid("'csv_url' is required");
      let url: URL;
      try {
        url = new URL(request.csvUrl);
      } catch {
        throw invalid("'csv_url' must be a valid url");
      }
      if (url.protocol !== "http:" && url.protocol !== "https:") throw invalid("'csv_url' must be a valid url");
      const table = findTable(storage, request.database, request.table, Code.InvalidArgument);
      const publicOnly = !isSuperUser(context.values.get(kUser));
      if (publicOnly) {
        try {
          await checkPublicHost(url.hostname);
        } catch (error) {
          throw invalid(`'csv_url' must be a public address: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      const headers = { ...request.passthroughHeaders };
      const href = request.csvUrl;
      return startLoad("csv_url_load", context, table, actionOf(request.action), storedRequest(request), async () => {
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
      const table = findTable(storage, request.database, request.table!, Code.InvalidArgument);
      const target = s3Target(request.s3!, settings);
      return startLoad("import_from_s3", context, table, actionOf(request.action), redactS3(storedRequest(request)), async () => {
        const { body } = await downloadObject(target);
        if (extension === ".csv") return csvBatches(body, { types: typesOf(table), jsonCells: true, keepExtra: false, batchSize });
        return jsonBatches(body, 5000);
      });
    },
  };
}

function isWriteKind(action: string): action is WriteKind {
  return action === "insert" || action === "update" || action === "upsert";
}

/** The action of a checked request: `insert` unless it names one. */
function actionOf(action: string | undefined): WriteKind {
  return action !== undefined && isWriteKind(action) ? action : "insert";
}

/** Harper's "flat" validator messages for the table and action of data/file/s3 loads. */
function flatChecks(request: { table?: string; action?: string }): string[] {
  const problems: string[] = [];
  if (request.table === undefined || request.table === "") problems.push("Table can't be blank");
  else if (/[/`]/.test(request.table)) problems.push("Table names cannot include backticks or forward slashes");
  if (request.action !== undefined && !isWriteKind(request.action)) problems.push("Action is required and must be either insert, update, or upsert");
  return problems;
}

/** The declared attribute types of a table (name -> type), for the CSV parser. */
function typesOf(table: Table): Map<string, string> {
  const types = new Map<string, string>();
  for (const { name, type } of table.info.attributes) if (type && type !== "Any") types.set(name, type);
  return types;
}

/**
 * The CSV records of an opened server file, in batches, read through its descriptor; the
 * descriptor is closed when the reading ends, fails or is abandoned (the job stops iterating).
 */
async function* fileBatches(handle: FileHandle, table: Table): AsyncGenerator<StorageRecord[]> {
  const stream = handle.createReadStream({ start: 0 });
  try {
    yield* csvBatches(stream, { types: typesOf(table), jsonCells: true, keepExtra: false, batchSize });
  } finally {
    stream.destroy();
    await handle.close().catch(() => undefined);
  }
}

/** Resolves (or opens) a server path, turning the policy's refusals into Harper's 400s. */
async function pathOrError<T>(resolve: () => Promise<T>): Promise<T> {
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

function isRecord(value: unknown): value is StorageRecord {
  return value !== null && typeof value === "object" && !Array.isArray(value);
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
  const items: unknown[] = Array.isArray(parsed) ? parsed : [];
  const records = items.filter(isRecord);
  if (!Array.isArray(parsed) || records.length !== items.length) throw new Error("The JSON file must hold an array of objects");
  for (let i = 0; i < records.length; i += size) {
    yield records.slice(i, i + size).map((record) => Object.fromEntries(Object.entries(record).map(([key, value]) => [key, jsonCell(value)])));
  }
}
