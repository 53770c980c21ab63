import { basename, join } from "node:path";
import type { JsonObject, JsonValue } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import { ConnectError } from "@connectrpc/connect";
import type { BulkService } from "../../gen/harper/v1/bulk_service_pb.js";
import { kUser } from "../auth/context.js";
import type { AuthUser } from "../auth/context.js";
import { writeFileAtomically } from "../bulk/export/atomic-file.js";
import { exportChunks } from "../bulk/export/export-format.js";
import { uploadObject } from "../bulk/s3/s3-client.js";
import { openExportFolder } from "../bulk/server-paths.js";
import type { BulkSettings } from "../config/index.js";
import type { Dispatch } from "../dispatch/dispatch-call.js";
import { jobStarted, storedRequest } from "../jobs/job-manager.js";
import type { JobManager } from "../jobs/job-manager.js";
import { fieldOf, redactS3, s3Fields, s3Target } from "./bulk-s3.js";

/** What the exports need. */
export interface BulkExportDependencies {
  jobs: JobManager;
  settings: BulkSettings;
  /** Runs an export's embedded search on behalf of the caller. */
  dispatch: Dispatch;
}

/** The export operations of the bulk service. */
export type BulkExports = Pick<ServiceImpl<typeof BulkService>, "exportLocal" | "exportToS3">;

const exportSearches = ["search_by_value", "search_by_hash", "sql", "search_by_conditions"];

/**
 * export_local and export_to_s3 (spec bulk-jobs.md §5): the job checks the format and the
 * embedded search, runs the search as the caller, and writes the rows as JSON or CSV to a file
 * in a server folder (atomically) or to an S3 object.
 */
export function createBulkExports(deps: BulkExportDependencies): BulkExports {
  const { jobs, settings, dispatch } = deps;
  return {
    async exportLocal(request, context) {
      const user = context.values.get(kUser);
      const body = storedRequest(request);
      const id = await jobs.start("export_local", user?.username ?? "", body, async () => {
        const format = exportFormat(request.format);
        const search = searchOf(request.searchOperation);
        if (request.path === undefined || request.path === "") throw new Error("path is missing.");
        // The folder is opened and checked once, and the file is written through that descriptor, never by the folder's name again.
        const folder = await openExportFolder(request.path.replace(/\/+$/, "") || "/", settings.superUserPaths);
        try {
          const { rows, columns } = await runSearch(dispatch, search, user);
          const base = String(request.filename || Date.now());
          if (base !== basename(base) || base === "." || base === ".." || base.includes("\\")) {
            throw new Error(`filename '${base}' must be a file name, without folders`);
          }
          const name = `${base}.${format}`;
          const path = join(folder.real, name);
          await writeFileAtomically(path, exportChunks(rows, format, columns), { folder: folder.handle });
          return { message: `Successfully exported ${format.toUpperCase()} locally.`, path };
        } finally {
          await folder.handle.close().catch(() => undefined);
        }
      });
      return jobStarted(id);
    },

    async exportToS3(request, context) {
      const user = context.values.get(kUser);
      const id = await jobs.start("export_to_s3", user?.username ?? "", redactS3(storedRequest(request)), async () => {
        const format = exportFormat(request.format);
        const search = searchOf(request.searchOperation);
        const s3 = request.s3;
        if (!s3 || s3Fields.every((field) => fieldOf(s3, field) === undefined)) throw new Error("S3 object is missing.");
        for (const field of s3Fields) if (fieldOf(s3, field) === undefined) throw new Error(`${field} is missing.`);
        const { rows, columns } = await runSearch(dispatch, search, user);
        const target = s3Target(s3, settings);
        target.key = `${target.key}.${format}`;
        return uploadObject(target, chunksAsBytes(exportChunks(rows, format, columns)), format === "json" ? "application/json" : "text/csv");
      });
      return jobStarted(id);
    },
  };
}

function exportFormat(format: string | undefined): "json" | "csv" {
  if (format === undefined || format === "") throw new Error("format missing");
  if (format !== "json" && format !== "csv") throw new Error("format invalid. must be one of the following values: json, csv");
  return format;
}

/**
 * The embedded search of an export, checked as Harper checks it (spec §5.1). A missing one is
 * left to the dispatcher, which answers a missing body as Harper does.
 */
function searchOf(search: JsonObject | undefined): JsonObject | undefined {
  if (search === undefined) return undefined;
  const operation = search["operation"];
  if (operation === undefined || operation === null || operation === "") throw new Error("search_operation.operation missing");
  if (typeof operation !== "string" || !exportSearches.includes(operation)) {
    throw new Error(`searchOperation.operation must be one of the following values: ${exportSearches.join(", ")}`);
  }
  return search;
}

/** Runs an export's search as the caller; the CSV columns are the NoSQL search's get_attributes (`*`: every attribute). */
async function runSearch(
  dispatch: Dispatch,
  search: JsonObject | undefined,
  user: AuthUser | undefined,
): Promise<{ rows: Array<Record<string, unknown>>; columns?: string[] }> {
  let answer: JsonValue;
  try {
    answer = await dispatch(search, { onBehalfOf: user?.username });
  } catch (error) {
    throw new Error(error instanceof ConnectError ? error.rawMessage : error instanceof Error ? error.message : String(error));
  }
  const rows = (Array.isArray(answer) ? answer : []) as Array<Record<string, unknown>>;
  const attributes = search?.["get_attributes"];
  if (search?.["operation"] === "sql" || !Array.isArray(attributes)) return { rows };
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
