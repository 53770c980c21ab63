import { test } from "node:test";
import assert from "node:assert/strict";
import { createJobManager, interruptedMessage, JobFailure } from "../src/jobs/job-manager.js";
import { withStorage } from "./storage-fixture.js";

// The job records of system.hdb_job: lifecycle, progress while running, failures, recovery.

test(
  "a job is IN_PROGRESS at once, shows progress while it runs, and ends with its message or result",
  withStorage(async (storage) => {
    const jobs = createJobManager(storage);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const id = await jobs.start("csv_data_load", "ann", { table: "t" }, async (progress) => {
      progress.update({ records_parsed: 1000, records_written: 990 });
      await gate;
      return "successfully loaded 990 of 1000 records";
    });
    assert.equal(jobs.get(id)?.status, "IN_PROGRESS");
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(jobs.get(id)?.progress, { records_parsed: 1000, records_written: 990 });
    release();
    await jobs.idle();
    const done = jobs.get(id)!;
    assert.deepEqual([done.status, done.message, done.user, done.type], ["COMPLETE", "successfully loaded 990 of 1000 records", "ann", "csv_data_load"]);
    assert.equal(done.progress ?? null, null);
    assert.ok(done.end_datetime! >= done.start_datetime && done.start_datetime >= done.created_datetime);
    const exported = await jobs.start("export_local", "ann", {}, async () => ({ path: "/x.json" }));
    await jobs.idle();
    assert.deepEqual([jobs.get(exported)?.message, jobs.get(exported)?.result], [`Successfully completed job: ${exported}`, { path: "/x.json" }]);
  }),
);

test(
  "a failing job records its error text, or the permission object of a refused load",
  withStorage(async (storage) => {
    const jobs = createJobManager(storage);
    const failed = await jobs.start("csv_url_load", "ann", {}, async () => {
      throw new Error("connect ECONNREFUSED 127.0.0.1:1");
    });
    const refused = await jobs.start("csv_data_load", "bob", {}, async () => {
      throw new JobFailure({ error: "not authorized", unauthorized_access: [], invalid_schema_items: ["Attribute 'x' does not exist on 'd.t'"] });
    });
    await jobs.idle();
    assert.deepEqual([jobs.get(failed)?.status, jobs.get(failed)?.message], ["ERROR", "connect ECONNREFUSED 127.0.0.1:1"]);
    assert.deepEqual(jobs.get(refused)?.message, { error: "not authorized", unauthorized_access: [], invalid_schema_items: ["Attribute 'x' does not exist on 'd.t'"] });
  }),
);

test(
  "jobs still IN_PROGRESS when a manager starts are marked failed; start-date search is exclusive and ordered",
  withStorage(async (storage) => {
    const jobs = createJobManager(storage);
    const stuck = await jobs.start("csv_url_load", "ann", {}, () => new Promise(() => {}));
    const quick = await jobs.start("csv_data_load", "ann", {}, async () => "done");
    await new Promise((resolve) => setTimeout(resolve, 20));
    const again = createJobManager(storage);
    await again.idle();
    const recovered = again.get(stuck)!;
    assert.deepEqual([recovered.status, recovered.message], ["ERROR", interruptedMessage]);
    assert.equal(again.get(quick)?.status, "COMPLETE");
    const first = again.get(stuck)!.start_datetime;
    const second = again.get(quick)!.start_datetime;
    assert.deepEqual(again.startedBetween(first - 1, second + 1).map((j) => j.id), [stuck, quick]);
    assert.deepEqual(again.startedBetween(first, second).map((j) => j.id), []);
  }),
);
