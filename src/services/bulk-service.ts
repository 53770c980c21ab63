import type { ServiceImpl } from "@connectrpc/connect";
import type { BulkService } from "../../gen/harper/v1/bulk_service_pb.js";
import type { BulkSettings } from "../config/index.js";
import type { Dispatch } from "../dispatch/dispatch-call.js";
import type { JobManager } from "../jobs/job-manager.js";
import type { Storage } from "../storage/index.js";
import { createBulkDelete } from "./bulk-delete.js";
import { createBulkExports } from "./bulk-exports.js";
import { createBulkLoads } from "./bulk-loads.js";

/** What the bulk operations need. */
export interface BulkDependencies {
  storage: Storage;
  jobs: JobManager;
  settings: BulkSettings;
  /** Runs an export's embedded search on behalf of the caller (authorised as that user). */
  dispatch: Dispatch;
}

/**
 * The bulk operations (spec bulk-jobs.md): CSV loads from text, a server file, a URL or S3,
 * exports to a server folder or S3, and delete_records_before. Each checks its request at once
 * (an HTTP error, no job), then answers `Starting job with id ...` and does the work as a job.
 */
export function createBulkService(deps: BulkDependencies): ServiceImpl<typeof BulkService> {
  return { ...createBulkLoads(deps), ...createBulkExports(deps), ...createBulkDelete(deps) };
}
