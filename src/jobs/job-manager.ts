import { randomUUID } from "node:crypto";
import type { Storage, StorageRecord, Table } from "../storage/index.js";
import { systemDatabase } from "../storage/index.js";

/** A job's status (spec bulk-jobs.md §1.1); CREATED is never written, a job starts IN_PROGRESS. */
export type JobStatus = "IN_PROGRESS" | "COMPLETE" | "ERROR";

/** A job as `system.hdb_job` holds it. */
export interface JobRecord {
  id: string;
  type: string;
  user: string;
  status: JobStatus;
  created_datetime: number;
  start_datetime: number;
  end_datetime?: number;
  /** A string, or the PERM-403 object of a refused load. Absent while the job runs. */
  message?: unknown;
  /** What an export produced (file path, upload result). */
  result?: Record<string, unknown>;
  /** Counts of long work, while it runs (harper-ops addition; removed when the job ends). */
  progress?: Record<string, number>;
  /** The request that started the job; stored, never answered. */
  request?: Record<string, unknown>;
}

/** What a running job may tell about its progress; persisted at most about once a second. */
export interface JobProgress {
  update(counts: Record<string, number>): void;
}

/** A job's work: a string becomes the message, an object the result (spec §1.1). */
export type JobWork = (progress: JobProgress, id: string) => Promise<string | Record<string, unknown>>;

/** A job failure whose message is an object (the PERM-403 answer of a refused load). */
export class JobFailure extends Error {
  constructor(readonly detail: Record<string, unknown>) {
    super(String(detail["error"] ?? "job failed"));
  }
}

/** The answer of an operation that started a job (spec bulk-jobs.md §1.1). */
export function jobStarted(id: string): { message: string; jobId: string } {
  return { message: `Starting job with id ${id}`, jobId: id };
}

/** A request message as a job record stores it: plain JSON, without protobuf-es' type tags. */
export function storedRequest(message: object): Record<string, unknown> {
  return JSON.parse(JSON.stringify(message, (key, value) => (key === "$typeName" ? undefined : value))) as Record<string, unknown>;
}

/** Starts background jobs and reads them back. */
export interface JobManager {
  /** Records the job, starts its work in the background and resolves with its id at once. */
  start(type: string, user: string, request: Record<string, unknown>, work: JobWork): Promise<string>;
  /** A job by id, or undefined. */
  get(id: string): JobRecord | undefined;
  /** Jobs whose start lies strictly between two times (ms), by start time. */
  startedBetween(from: number, to: number): JobRecord[];
  /** Resolves when every job started so far has ended (for tests and shutdown). */
  idle(): Promise<void>;
}

const progressInterval = 1000;
export const interruptedMessage = "The server stopped while this job was running";

/**
 * Jobs in `system.hdb_job` (spec bulk-jobs.md §1), run in this process: the record is written
 * IN_PROGRESS before the request is answered, then COMPLETE or ERROR with `end_datetime`. A job
 * that was running when the server stopped is marked ERROR when the manager is created, so no
 * record stays IN_PROGRESS forever.
 */
export function createJobManager(storage: Storage, log: (message: string, error?: unknown) => void = () => {}): JobManager {
  const table = (): Table => {
    const jobs = storage.table(systemDatabase, "hdb_job");
    if (!jobs) throw new Error("system.hdb_job is missing");
    return jobs;
  };
  const running = new Set<Promise<void>>();
  const save = (record: Partial<JobRecord> & { id: string }) => table().write("upsert", [record as StorageRecord]);

  const interrupted = [...table().scan()].filter((job) => job["status"] === "IN_PROGRESS" || job["status"] === "CREATED");
  const recovered: Promise<unknown> = interrupted.length
    ? table().write(
        "upsert",
        interrupted.map((job) => ({ id: job["id"], status: "ERROR", message: interruptedMessage, end_datetime: Date.now(), progress: null })),
      )
    : Promise.resolve();

  const finish = async (id: string, outcome: { message: unknown; result?: Record<string, unknown>; status: JobStatus }) => {
    const record: Partial<JobRecord> & { id: string } = { id, status: outcome.status, message: outcome.message, end_datetime: Date.now() };
    if (outcome.result) record.result = outcome.result;
    (record as Record<string, unknown>)["progress"] = null;
    await save(record);
  };

  const run = async (id: string, work: JobWork) => {
    let last = 0;
    let pending: Promise<unknown> = Promise.resolve();
    const progress: JobProgress = {
      update(counts) {
        const now = Date.now();
        if (now - last < progressInterval) return;
        last = now;
        pending = pending.then(() => save({ id, progress: counts })).catch((error) => log(`job ${id}: progress not saved`, error));
      },
    };
    try {
      const outcome = await work(progress, id);
      await pending;
      if (typeof outcome === "string") await finish(id, { status: "COMPLETE", message: outcome });
      else await finish(id, { status: "COMPLETE", message: `Successfully completed job: ${id}`, result: outcome });
    } catch (error) {
      await pending;
      const message = error instanceof JobFailure ? error.detail : error instanceof Error ? error.message : String(error);
      try {
        await finish(id, { status: "ERROR", message });
      } catch (failure) {
        log(`job ${id}: its end could not be recorded`, failure);
      }
    }
  };

  return {
    async start(type, user, request, work) {
      await recovered;
      const id = randomUUID();
      const created = Date.now();
      await save({ id, type, user, status: "IN_PROGRESS", created_datetime: created, start_datetime: Date.now(), request });
      const task = new Promise<void>((resolve) => setImmediate(resolve)).then(() => run(id, work));
      running.add(task);
      void task.finally(() => running.delete(task));
      return id;
    },
    get(id) {
      return table().get(id) as JobRecord | undefined;
    },
    startedBetween(from, to) {
      return ([...table().scan()] as unknown as JobRecord[])
        .filter((job) => typeof job.start_datetime === "number" && job.start_datetime > from && job.start_datetime < to)
        .sort((a, b) => a.start_datetime - b.start_datetime);
    },
    async idle() {
      await recovered;
      while (running.size) await Promise.all([...running]);
    },
  };
}
