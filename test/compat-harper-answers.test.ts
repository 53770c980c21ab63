import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RunningServer } from "../src/main.js";
import { basic, poster, runJob, startTestServer, stopTestServer } from "./server-fixture.js";

// Harper JSON answers at the request edge, for names sent as numbers (or other non-strings), for
// jobs and for create_table's expiration. Every expected status and text was recorded from a real
// HarperDB 4.7.29; where Harper answers a client mistake with 500, harper-ops answers 400 with the
// same text (noted "500 there").

let server: RunningServer;
let root: string;
let files: string;
const post = poster(() => server);
const admin = basic("admin", "password");

/** POSTs raw bytes (a body JSON.stringify cannot make, such as one starting with a BOM). */
async function postRaw(bytes: Uint8Array): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`http://127.0.0.1:${server.port}/`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: admin },
    body: new Uint8Array(bytes),
  });
  return { status: res.status, body: await res.json() };
}
const bom = (text: string) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]);
const error = (status: number, text: string) => ({ status, body: { error: text } });

before(async () => {
  ({ server, root } = await startTestServer());
  files = mkdtempSync(join(tmpdir(), "harper-answers-"));
  assert.equal((await post({ operation: "create_table", database: "51", table: "71", primary_key: "id" })).status, 200);
});
after(async () => {
  await stopTestServer(server, root);
  rmSync(files, { recursive: true, force: true });
});

test("a number where a database or table name is expected names it in insert, update, upsert, delete and the searches", async () => {
  assert.deepEqual(await post({ operation: "insert", database: 51, table: 71, records: [{ id: 1 }] }), {
    status: 200,
    body: { message: "inserted 1 of 1 records", inserted_hashes: [1], skipped_hashes: [] },
  });
  assert.deepEqual((await post({ operation: "update", schema: 51, table: "71", records: [{ id: 1, a: 1 }] })).body.update_hashes, [1]);
  assert.deepEqual((await post({ operation: "upsert", database: "51", table: 71, records: [{ id: 2 }] })).body.upserted_hashes, [2]);
  const found = await post({ operation: "search_by_value", database: 51.0, table: 71, attribute: "id", value: 1, get_attributes: ["id", "a"] });
  assert.deepEqual(found, { status: 200, body: [{ id: 1, a: 1 }] });
  const conditions = [{ attribute: "id", comparator: "equals", value: 2 }];
  assert.deepEqual((await post({ operation: "search_by_conditions", schema: 51, table: 71, conditions, get_attributes: ["id"] })).body, [{ id: 2 }]);
  assert.deepEqual((await post({ operation: "delete", database: 51, table: 71, ids: [2] })).body.deleted_hashes, [2]);
  assert.equal((await post({ operation: "create_attribute", database: 51, table: 71, attribute: "zz" })).body.message, "attribute '51.71.zz' successfully created.");
  assert.equal((await post({ operation: "describe_table", schema: 51, table: "71" })).body.name, "71");
  assert.deepEqual(Object.keys((await post({ operation: "describe_database", schema: 51 })).body), ["71"]);
});

test("operations that take names only as strings refuse numbers, every wrong key reported and joined as Harper joins them", async () => {
  // search_by_id: 500 there; Harper names the database `database` whichever key was sent.
  const bothWrong = "'database' must be a string. 'table' must be a string";
  assert.deepEqual(await post({ operation: "search_by_id", schema: 51, table: 71, ids: [1], get_attributes: ["*"] }), error(400, bothWrong));
  assert.deepEqual(await post({ operation: "describe_table", database: 51, table: 71 }), error(400, bothWrong));
  assert.deepEqual(await post({ operation: "drop_table", database: 51, table: 71 }), error(400, bothWrong));
  assert.deepEqual(await post({ operation: "describe_database", database: 51 }), error(400, "'database' must be a string"));
  // create_table copies database into schema before it checks, so both are reported.
  assert.deepEqual(
    await post({ operation: "create_table", database: 51, table: 71, primary_key: "id" }),
    error(400, "'database' must be a string. 'schema' must be a string. 'table' must be a string"),
  );
  assert.deepEqual(
    await post({ operation: "create_table", database: {}, table: {}, primary_key: {} }),
    error(400, "'database' must be a string. 'schema' must be a string. 'table' must be a string. 'primary_key' must be a string"),
  );
  // drop_table and drop_attribute check `schema` on its own, also beside a good `database`.
  assert.deepEqual(await post({ operation: "drop_table", database: "51", schema: 51, table: "71" }), error(400, "'schema' must be a string"));
  assert.deepEqual(
    await post({ operation: "drop_attribute", schema: 51, table: 71, attribute: "zz" }),
    error(400, "'schema' must be a string. 'table' must be a string"),
  );
  // csv_url_load names the database `schema` whichever key was sent.
  assert.deepEqual(
    await post({ operation: "csv_url_load", database: 51, table: 71, csv_url: "http://127.0.0.1:1/x.csv" }),
    error(400, "'schema' must be a string. 'table' must be a string"),
  );
  assert.deepEqual(await post({ operation: "read_transaction_log", database: "51", schema: 51, table: "71" }), error(400, "'schema' must be a string"));
  assert.deepEqual(
    await post({ operation: "delete_transaction_logs_before", database: 51, table: 71, timestamp: 1 }),
    error(400, "'schema' must be a string. 'database' must be a string. 'table' must be a string"),
  );
});

test("a name that is neither string nor number is refused with 'must be one of [string, number]' under every key Harper checks", async () => {
  const oneOf = (key: string) => `'${key}' must be one of [string, number]`;
  assert.deepEqual(await post({ operation: "insert", database: true, table: "71", records: [{ id: 1 }] }), error(400, oneOf("database")));
  assert.deepEqual(await post({ operation: "insert", database: [1], table: 71, records: [{ id: 1 }] }), error(400, oneOf("database")));
  assert.deepEqual(
    await post({ operation: "insert", table: {}, database: {}, records: [{ id: 1 }] }),
    error(400, `${oneOf("database")}. ${oneOf("table")}`),
  );
  // insert checks `schema` on its own even beside a good `database`.
  assert.deepEqual(await post({ operation: "insert", database: "51", schema: true, table: "71", records: [] }), error(400, oneOf("schema")));
  assert.deepEqual(await post({ operation: "update", database: "51", table: true, records: [] }), error(400, oneOf("table")));
  // search_by_value (500 there) copies database into schema first; delete_records_before too,
  // checking schema before database.
  assert.deepEqual(
    await post({ operation: "search_by_value", database: {}, table: {}, attribute: "id", value: 1 }),
    error(400, `${oneOf("database")}. ${oneOf("schema")}. ${oneOf("table")}`),
  );
  assert.deepEqual(
    await post({ operation: "delete_records_before", database: {}, table: {}, date: "2000-01-01" }),
    error(400, `${oneOf("schema")}. ${oneOf("database")}. ${oneOf("table")}`),
  );
  assert.equal((await post({ operation: "delete_records_before", database: 51, table: 71, date: "2000-01-01" })).status, 200);
});

test("the CSV loads answer Harper's validate.js texts for a name that is not a string, joined by commas", async () => {
  const text = (key: string) => `${key} names cannot include backticks or forward slashes,${key} has an incorrect length`;
  assert.deepEqual(
    await post({ operation: "csv_data_load", database: 51, table: 71, data: "id\n5\n" }),
    error(400, `${text("Database")},${text("Schema")},${text("Table")}`),
  );
  assert.deepEqual(await post({ operation: "csv_file_load", schema: true, table: "71", file_path: "/nonexistent/x.csv" }), error(400, text("Schema")));
});

test("a body that starts with a UTF-8 byte-order mark is read without it", async () => {
  assert.deepEqual(await postRaw(bom('{"operation":"describe_database","database":"51"}')).then((r) => Object.keys(r.body as object)), ["71"]);
  assert.deepEqual(await postRaw(bom("{}")), {
    status: 400,
    body: { statusCode: 400, error: "Bad Request", message: "Request body must include an 'operation' property." },
  });
  assert.deepEqual(await postRaw(bom('{"operation":"describe_all"')), error(400, "Expected ',' or '}' after property value in JSON at position 27"));
  assert.deepEqual(await postRaw(bom('{"operation":"user_info", "__proto__":{}}')), error(400, "Object contains forbidden prototype property"));
  // Only one mark is dropped; a mark alone, or blanks, are not an empty body but no JSON at all.
  assert.deepEqual(await postRaw(bom("")), error(400, "Unexpected end of JSON input"));
  assert.deepEqual(await postRaw(Buffer.from("   ")), error(400, "Unexpected end of JSON input"));
  assert.deepEqual(
    await postRaw(bom(bom('{"operation":"user_info"}').toString())),
    error(400, 'Unexpected token \'\uFEFF\', "\uFEFF{"operati"... is not valid JSON'),
  );
});

test("an operation that is null is a missing operation; other non-strings get Harper's startsWith text", async () => {
  assert.deepEqual(await postRaw(Buffer.from('{"operation":null}')), error(400, "Request body must include an 'operation' property."));
  // 500 there.
  for (const value of ["5", "true", "{}", "[]", "0"]) {
    assert.deepEqual(await postRaw(Buffer.from(`{"operation":${value}}`)), error(400, "e.body?.operation?.startsWith is not a function"), value);
  }
  assert.deepEqual(await postRaw(Buffer.from('{"operation":""}')), error(400, "Operation '' not found"));
});

test("get_job takes a numeric id as its text, and answers Harper's text for other types", async () => {
  for (const id of [5, 0, -1, 1.5]) assert.deepEqual(await post({ operation: "get_job", id }), { status: 200, body: [] }, String(id));
  assert.deepEqual(await post({ operation: "get_job", id: "nope" }), { status: 200, body: [] });
  // 500 there.
  for (const id of [true, {}, ["x"]]) {
    assert.deepEqual(await post({ operation: "get_job", id }), error(400, "there was an error searching for jobs.  Please check the log for details."));
  }
  assert.deepEqual(await post({ operation: "get_job", id: "" }), error(400, "Invalid job ID specified."));
  assert.deepEqual(await post({ operation: "get_job" }), error(400, "'id' is required"));
});

test("search_jobs_by_start_date leaves out result for every job, exports included", async () => {
  const from = new Date(Date.now() - 1000).toISOString();
  const exported = await runJob(post, {
    operation: "export_local",
    format: "json",
    path: files,
    filename: "h1",
    search_operation: { operation: "search_by_value", database: "51", table: "71", attribute: "id", value: "*" },
  });
  assert.deepEqual(exported.result, { message: "Successfully exported JSON locally.", path: join(files, "h1.json") });
  const loaded = await runJob(post, { operation: "csv_data_load", database: "51", table: "71", data: "id,q\n100,1\n" });
  const failed = await runJob(post, { operation: "export_local", format: "json", path: join(files, "nowhere"), search_operation: { operation: "search_by_value", database: "51", table: "71", attribute: "id", value: "*" } });
  const deleted = await runJob(post, { operation: "delete_records_before", database: "51", table: "71", date: "2000-01-01" });
  const to = new Date(Date.now() + 1000).toISOString();
  const found = (await post({ operation: "search_jobs_by_start_date", from_date: from, to_date: to })).body as Array<Record<string, unknown>>;
  const finished = ["id", "created_datetime", "end_datetime", "message", "start_datetime", "status", "type", "user", "start_datetime_converted", "end_datetime_converted"];
  for (const job of [exported, loaded, failed, deleted]) {
    const entry = found.find((candidate) => candidate["id"] === job.id);
    assert.deepEqual(Object.keys(entry ?? {}), finished, job.type);
  }
  assert.deepEqual([exported.status, loaded.status, failed.status, deleted.status], ["COMPLETE", "COMPLETE", "ERROR", "COMPLETE"]);
});

test("create_table refuses a negative expiration with Harper's text and takes 0 as no expiration", async () => {
  // 500 there.
  assert.deepEqual(await post({ operation: "create_table", database: "hedge2", table: "neg", primary_key: "id", expiration: -1 }), error(400, "Expiration can not be negative"));
  assert.deepEqual(await post({ operation: "create_table", database: "hedge2", table: "neg", primary_key: "id", expiration: "-5" }), error(400, "Expiration can not be negative"));
  assert.equal((await post({ operation: "create_table", database: "hedge2", table: "zero", primary_key: "id", expiration: 0 })).status, 200);
  assert.equal((await post({ operation: "describe_table", database: "hedge2", table: "zero" })).body.expiration, undefined);
  assert.equal((await post({ operation: "create_table", database: "hedge2", table: "sixty", primary_key: "id", expiration: "60" })).status, 200);
  assert.equal((await post({ operation: "describe_table", database: "hedge2", table: "sixty" })).body.expiration, "60s");
  // Harper makes a table that expires after NaN seconds (or Number(true) = 1 s): refused here.
  for (const expiration of ["abc", true, "", [60]]) {
    assert.deepEqual(
      await post({ operation: "create_table", database: "hedge2", table: "odd", primary_key: "id", expiration }),
      error(400, "'expiration' must be a number"),
      JSON.stringify(expiration),
    );
  }
});
