import type { ServiceImpl } from "@connectrpc/connect";
import type { BulkService } from "../../gen/harper/v1/bulk_service_pb.js";
import { kUser } from "../auth/context.js";
import { jobStarted, storedRequest } from "../jobs/job-manager.js";
import type { JobManager, JobProgress } from "../jobs/job-manager.js";
import { createdTimeAttribute, defaultDatabase } from "../storage/index.js";
import type { Id, Storage, Table } from "../storage/index.js";
import { findJobTable } from "./find-table.js";
import { isoTime } from "./iso-time.js";
import { invalid } from "./storage-errors.js";

/** What delete_records_before needs. */
export interface BulkDeleteDependencies {
  storage: Storage;
  jobs: JobManager;
}

/** delete_records_before, the bulk service's one delete. */
export type BulkDelete = Pick<ServiceImpl<typeof BulkService>, "deleteRecordsBefore">;

/**
 * delete_records_before (spec bulk-jobs.md §6): the date and table name are checked at once
 * (Harper's 400s); the table itself is looked up by the job, which fails with
 * `Table '<db>.<table>' does not exist` when the table or its database is missing.
 */
export function createBulkDelete(deps: BulkDeleteDependencies): BulkDelete {
  const { storage, jobs } = deps;
  return {
    async deleteRecordsBefore(request, context) {
      if (request.date === undefined || request.date === "") throw invalid("'date' is required");
      if (isoTime(request.date) === undefined) throw invalid("'date' must be in ISO 8601 date format");
      if (request.table === undefined || request.table === "") throw invalid("'table' is required");
      const database = request.database ?? defaultDatabase;
      const name = request.table;
      const cutoff = Date.parse(request.date);
      const user = context.values.get(kUser);
      const id = await jobs.start("delete_records_before", user?.username ?? "", storedRequest(request), async (progress) =>
        deleteBefore(findJobTable(storage, database, name), cutoff, progress, user?.username),
      );
      return jobStarted(id);
    },
  };
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
