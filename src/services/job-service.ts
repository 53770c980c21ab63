import type { JsonObject } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import type { JobRecord as JobMessage, JobSearchRecord, JobService } from "../../gen/harper/v1/job_service_pb.js";
import { valueOfPlain } from "../contract/index.js";
import type { JobManager, JobRecord } from "../jobs/job-manager.js";
import { isoTime } from "./iso-time.js";
import { invalid } from "./storage-errors.js";

type JobFields = Omit<JobMessage, "$typeName">;

/** A stored job as get_job answers it: without the request and the timestamps (spec bulk-jobs §2). */
function jobFields(job: JobRecord): JobFields {
  return {
    id: String(job.id),
    result: job.result ? (job.result as JsonObject) : undefined,
    status: String(job.status),
    message: job.message === undefined || job.message === null ? undefined : valueOfPlain(job.message),
    endDatetime: typeof job.end_datetime === "number" ? job.end_datetime : undefined,
    type: String(job.type),
    startDatetime: Number(job.start_datetime),
    createdDatetime: Number(job.created_datetime),
    user: String(job.user),
    progress: job.progress ? (job.progress as JsonObject) : undefined,
  };
}

/** get_job and search_jobs_by_start_date over the job records (spec bulk-jobs.md §2-§3). */
export function createJobService(jobs: JobManager): ServiceImpl<typeof JobService> {
  return {
    getJob(request) {
      if (request.id === undefined) throw invalid("'id' is required");
      if (request.id === "") throw invalid("Invalid job ID specified.");
      const job = jobs.get(request.id);
      return { jobs: job ? [jobFields(job)] : [] };
    },
    searchJobsByStartDate(request) {
      const prefix = "There was an error searching jobs by date: Error: ";
      const from = isoTime(request.fromDate);
      if (from === undefined) throw invalid(`${prefix}Invalid 'from' date, must be in ISO-8601 format (YYYY-MM-DD).`);
      const to = isoTime(request.toDate);
      if (to === undefined) throw invalid(`${prefix}Invalid 'to' date, must be in ISO-8601 format (YYYY-MM-DD)`);
      // Harper's search never answers `result`, not even for an export whose get_job shows it.
      const found: Array<Omit<JobSearchRecord, "$typeName">> = jobs.startedBetween(from, to).map((job) => {
        const fields = jobFields(job);
        return {
          id: fields.id,
          createdDatetime: fields.createdDatetime,
          endDatetime: fields.endDatetime,
          message: fields.message,
          startDatetime: fields.startDatetime,
          status: fields.status,
          type: fields.type,
          user: fields.user,
          startDatetimeConverted: new Date(fields.startDatetime).toISOString(),
          endDatetimeConverted: fields.endDatetime === undefined ? undefined : new Date(fields.endDatetime).toISOString(),
        };
      });
      return { jobs: found };
    },
  };
}

