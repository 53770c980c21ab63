import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { Server } from "node:http";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import type { RunningServer } from "../src/main.js";
import { basic, poster, runJob, startTestServer, stopTestServer } from "./server-fixture.js";

// The bulk operations as jobs (spec bulk-jobs.md): each CSV action and typing rule through a real
// load, files and URLs (a loopback HTTP server), role rules for files and URLs, a CSV whose later
// rows are bad, exports and delete_records_before, job searches.

let root: string;
let server: RunningServer;
let files: string;
let web: Server;
let webUrl: string;
const admin = basic("admin", "password");
const loader = basic("loader", "Loader-pass-1");

type Json = any;

const post = poster(() => server);
/** Starts a job and waits until it ends; answers the final job record. */
const job = (body: unknown, authorization = admin) => runJob(post, body, authorization);

const rowsOf = async (table: string, ids: unknown[], attributes = ["*"]) =>
  (await post({ operation: "search_by_id", database: "bulk", table, ids, get_attributes: attributes })).body as Json[];

before(async () => {
  ({ server, root } = await startTestServer());
  files = mkdtempSync(join(tmpdir(), "harper-bulk-files-"));
  web = createServer((req, res) => {
    const url = req.url ?? "/";
    if (url === "/plants.csv") {
      res.writeHead(200, { "content-type": "text/csv; charset=utf-8" });
      return res.end('id,name,tags\n1,Basil,"[""herb""]"\n2,Rose,\n');
    }
    if (url === "/page.html") {
      res.writeHead(200, { "content-type": "text/html" });
      return res.end("<html></html>");
    }
    if (url === "/empty.csv") {
      res.writeHead(200, { "content-type": "text/csv" });
      return res.end();
    }
    if (url === "/stall.csv") {
      res.writeHead(200, { "content-type": "text/csv" });
      return res.write("id,name\n1,a\n"); // never ends
    }
    res.writeHead(404, "File not found");
    res.end();
  });
  await new Promise<void>((resolve) => web.listen(0, "127.0.0.1", resolve));
  webUrl = `http://127.0.0.1:${(web.address() as AddressInfo).port}`;
  for (const table of ["plants", "copy", "typed_src"]) await post({ operation: "create_table", database: "bulk", table, primary_key: "id" });
  await post({ operation: "create_table", database: "bulk", table: "typed", primary_key: "id", attributes: [{ name: "id", type: "Int" }, { name: "n", type: "Int" }] });
  await post({
    operation: "add_role",
    role: "bulk_loader",
    permission: { super_user: false, bulk: { tables: { plants: { read: true, insert: true, update: true, delete: false, attribute_permissions: [] } } } },
  });
  await post({ operation: "add_user", role: "bulk_loader", username: "loader", password: "Loader-pass-1", active: true });
});

after(async () => {
  web.closeAllConnections();
  await new Promise((resolve) => web.close(resolve));
  await stopTestServer(server, root);
  rmSync(files, { recursive: true, force: true });
});

test("csv_data_load inserts, updates and upserts with Harper's typing and messages", async () => {
  const inserted = await job({ operation: "csv_data_load", database: "bulk", table: "plants", data: "id,name,height,perennial,note\n10,Basil,45,false,\n11,\"Rose, red\",250,TRUE,null\n" });
  assert.equal(inserted.status, "COMPLETE");
  assert.equal(inserted.message, "successfully loaded 2 of 2 records");
  assert.equal(inserted.type, "csv_data_load");
  assert.equal(inserted.user, "admin");
  assert.ok(inserted.end_datetime >= inserted.start_datetime && inserted.start_datetime >= inserted.created_datetime);
  assert.equal(inserted.request, undefined);
  assert.deepEqual(await rowsOf("plants", [10, 11], ["id", "name", "height", "perennial", "note"]), [
    { id: 10, name: "Basil", height: 45, perennial: false, note: "" },
    { id: 11, name: "Rose, red", height: 250, perennial: true, note: null },
  ]);
  const updated = await job({ operation: "csv_data_load", action: "update", database: "bulk", table: "plants", data: "id,height\n10,50\n999,1\n" });
  assert.equal(updated.message, "successfully loaded 1 of 2 records");
  const upserted = await job({ operation: "csv_data_load", action: "upsert", database: "bulk", table: "plants", data: "id;name\n11;Rose\n12;Mint\n" });
  assert.equal(upserted.message, "successfully loaded 2 of 2 records");
  assert.deepEqual(await rowsOf("plants", [10, 11, 12, 999], ["id", "name", "height"]), [
    { id: 10, name: "Basil", height: 50 },
    { id: 11, name: "Rose", height: 250 },
    { id: 12, name: "Mint", height: null },
  ]);
  const empty = await job({ operation: "csv_data_load", database: "bulk", table: "plants", data: "id,name\n" });
  assert.deepEqual([empty.status, empty.message], ["COMPLETE", "No records parsed from csv file."]);
});

test("request mistakes answer at once, without a job", async () => {
  const check = async (body: Json, error: string) => assert.deepEqual(await post(body), { status: 400, body: { error } }, JSON.stringify(body));
  await check({ operation: "csv_data_load", database: "bulk", table: "plants", action: "merge", data: "id\n1\n" }, "Action is required and must be either insert, update, or upsert");
  await check({ operation: "csv_data_load", database: "bulk", table: "plants" }, "Data  is required");
  await check({ operation: "csv_data_load", database: "bulk", data: "id\n1\n" }, "Table can't be blank");
  await check({ operation: "csv_data_load", database: "bulk", table: "nope", data: "id\n1\n" }, "Table 'bulk.nope' does not exist");
  await check({ operation: "csv_file_load", database: "bulk", table: "plants" }, "File path  is required");
  await check({ operation: "csv_file_load", database: "bulk", table: "plants", file_path: join(files, "missing.csv") }, `No such file or directory ${join(files, "missing.csv")}`);
  await check({ operation: "csv_url_load", database: "bulk", table: "plants" }, "'csv_url' is required");
  await check({ operation: "csv_url_load", database: "bulk", table: "plants", csv_url: "ftp://example.com/x.csv" }, "'csv_url' must be a valid url");
  await check({ operation: "import_from_s3", database: "bulk", table: "plants", s3: { aws_access_key_id: "a", aws_secret_access_key: "b", bucket: "c", key: "d.txt", region: "e" } }, "S3 key must include one of the following valid file extensions - '.csv', '.json'");
  await check({ operation: "delete_records_before", database: "bulk", table: "plants", date: "yesterday-ish" }, "'date' must be in ISO 8601 date format");
  await check({ operation: "get_job" }, "'id' is required");
  assert.deepEqual(await post({ operation: "get_job", id: "00000000-0000-4000-8000-000000000000" }), { status: 200, body: [] });
});

test("csv_file_load streams a server file and parses JSON cells; other users may not read server files", async () => {
  const path = join(files, "plants.csv");
  writeFileSync(path, "id,name,tags,meta\n20,Fern,\"[1,2]\",\"{\"\"a\"\":1}\"\n21,Moss,[x],{bad}\n");
  const loaded = await job({ operation: "csv_file_load", database: "bulk", table: "plants", file_path: path });
  assert.equal(loaded.message, "successfully loaded 2 of 2 records");
  assert.deepEqual(await rowsOf("plants", [20, 21], ["id", "tags", "meta"]), [
    { id: 20, tags: [1, 2], meta: { a: 1 } },
    { id: 21, tags: "[x]", meta: "{bad}" },
  ]);
  const refused = await post({ operation: "csv_file_load", database: "bulk", table: "plants", file_path: "/etc/passwd" }, loader);
  assert.deepEqual(refused, { status: 400, body: { error: "Permission denied /etc/passwd" } });
  const alsoRefused = await post({ operation: "csv_file_load", database: "bulk", table: "plants", file_path: path }, loader);
  assert.equal(alsoRefused.status, 400);
});

test("csv_url_load fetches over http with Harper's errors; other users cannot reach loopback", async () => {
  const loaded = await job({ operation: "csv_url_load", database: "bulk", table: "plants", csv_url: `${webUrl}/plants.csv` });
  assert.equal(loaded.message, "successfully loaded 2 of 2 records");
  assert.deepEqual(await rowsOf("plants", [1], ["id", "name", "tags"]), [{ id: 1, name: "Basil", tags: ["herb"] }]);
  const missing = await job({ operation: "csv_url_load", database: "bulk", table: "plants", csv_url: `${webUrl}/nothing.csv` });
  assert.deepEqual([missing.status, missing.message], ["ERROR", `CSV Load failed from URL: ${webUrl}/nothing.csv, status code: 404, message: File not found`]);
  const html = await job({ operation: "csv_url_load", database: "bulk", table: "plants", csv_url: `${webUrl}/page.html` });
  assert.equal(html.message, `CSV Load failed from URL: ${webUrl}/page.html, unsupported content type: text/html`);
  const empty = await job({ operation: "csv_url_load", database: "bulk", table: "plants", csv_url: `${webUrl}/empty.csv` });
  assert.equal(empty.message, `CSV Load failed from URL: ${webUrl}/empty.csv, no csv found at url`);
  const closed = await job({ operation: "csv_url_load", database: "bulk", table: "plants", csv_url: "http://127.0.0.1:1/x.csv" });
  assert.equal(closed.status, "ERROR");
  assert.match(closed.message, /ECONNREFUSED/);
  const refused = await post({ operation: "csv_url_load", database: "bulk", table: "plants", csv_url: `${webUrl}/plants.csv` }, loader);
  assert.equal(refused.status, 400);
  assert.match(refused.body.error, /^'csv_url' must be a public address/);
});

test("a CSV with bad rows keeps the batches committed before them and says how many", async () => {
  const lines = ["id,n"];
  for (let i = 1; i <= 2500; i++) lines.push(`${i},${i === 2200 ? "notnum" : i}`);
  const failed = await job({ operation: "csv_data_load", database: "bulk", table: "typed", data: lines.join("\n") });
  assert.equal(failed.status, "ERROR");
  assert.equal(failed.message, 'Invalid value for attribute n: "notnum", expecting Int (2000 of 2000 records were loaded before the error)');
  const count = await post({ operation: "sql", sql: "SELECT COUNT(*) AS c FROM bulk.typed" });
  assert.deepEqual(count.body, [{ c: 2000 }]);
  const small = await job({ operation: "csv_data_load", database: "bulk", table: "typed", data: "id,n\n5000,x\n" });
  assert.equal(small.message, 'Invalid value for attribute n: "x", expecting Int');
});

test("export_local writes JSON and CSV atomically, and the CSV loads back", async () => {
  await post({ operation: "insert", database: "bulk", table: "typed_src", records: [{ id: 1, name: "Ann", tags: ["a", "b"] }, { id: 2, name: 'Bo "B"', tags: null }] });
  const folder = join(files, "exports");
  mkdirSync(folder);
  const json = await job({ operation: "export_local", format: "json", path: `${folder}/`, filename: "out", search_operation: { operation: "sql", sql: "SELECT id, name, tags FROM bulk.typed_src ORDER BY id" } });
  assert.equal(json.status, "COMPLETE", JSON.stringify(json));
  assert.deepEqual(json.result, { message: "Successfully exported JSON locally.", path: join(folder, "out.json") });
  assert.equal(readFileSync(join(folder, "out.json"), "utf8"), '[{"id":1,"name":"Ann","tags":["a","b"]},{"id":2,"name":"Bo \\"B\\"","tags":null}]');
  const csv = await job({
    operation: "export_local",
    format: "csv",
    path: folder,
    filename: "out",
    search_operation: { operation: "search_by_value", database: "bulk", table: "typed_src", search_attribute: "id", search_value: "*", get_attributes: ["id", "name", "tags"] },
  });
  assert.equal(csv.status, "COMPLETE", JSON.stringify(csv));
  assert.equal(readFileSync(join(folder, "out.csv"), "utf8"), '"id","name","tags"\n1,"Ann","[""a"",""b""]"\n2,"Bo ""B""",');
  assert.deepEqual(readdirSync(folder).sort(), ["out.csv", "out.json"]);
  const back = await job({ operation: "csv_file_load", database: "bulk", table: "copy", file_path: join(folder, "out.csv") });
  assert.equal(back.message, "successfully loaded 2 of 2 records");
  assert.deepEqual(await rowsOf("copy", [1, 2], ["id", "name", "tags"]), [{ id: 1, name: "Ann", tags: ["a", "b"] }, { id: 2, name: 'Bo "B"', tags: "" }]);
  const badFormat = await job({ operation: "export_local", format: "xml", path: folder, search_operation: { operation: "sql", sql: "SELECT * FROM bulk.copy" } });
  assert.deepEqual([badFormat.status, badFormat.message], ["ERROR", "format invalid. must be one of the following values: json, csv"]);
  const noFolder = await job({ operation: "export_local", format: "json", path: join(files, "nowhere"), search_operation: { operation: "sql", sql: "SELECT * FROM bulk.copy" } });
  assert.deepEqual([noFolder.status, noFolder.message], ["ERROR", `path '${join(files, "nowhere")}' does not exist`]);
  const escape = await job({ operation: "export_local", format: "json", path: folder, filename: "../escaped", search_operation: { operation: "sql", sql: "SELECT 1 AS x" } });
  assert.deepEqual([escape.status, escape.message], ["ERROR", "filename '../escaped' must be a file name, without folders"]);
  const notExport = await post({ operation: "export_local", format: "json", path: folder, search_operation: { operation: "sql", sql: "SELECT 1" } }, loader);
  assert.equal(notExport.status, 403);
});

test("delete_records_before deletes only what was created before the date", async () => {
  await post({ operation: "create_table", database: "bulk", table: "samples", primary_key: "id" });
  await post({ operation: "insert", database: "bulk", table: "samples", records: [{ id: 1 }, { id: 2 }] });
  await new Promise((resolve) => setTimeout(resolve, 20));
  const cutoff = new Date().toISOString();
  await new Promise((resolve) => setTimeout(resolve, 20));
  await post({ operation: "insert", database: "bulk", table: "samples", records: [{ id: 3 }] });
  const deleted = await job({ operation: "delete_records_before", schema: "bulk", table: "samples", date: cutoff });
  assert.deepEqual([deleted.status, deleted.message], ["COMPLETE", "2 of 2 records successfully deleted"]);
  assert.deepEqual(await rowsOf("samples", [1, 2, 3], ["id"]), [{ id: 3 }]);
  const none = await job({ operation: "delete_records_before", schema: "bulk", table: "samples", date: "2001-01-01" });
  assert.equal(none.message, "No records found to delete");
  const missing = await job({ operation: "delete_records_before", table: "old", date: "2001-01-01" });
  assert.deepEqual([missing.status, missing.message], ["ERROR", "Table 'data.old' does not exist"]);
  assert.equal((await post({ operation: "delete_records_before", schema: "bulk", table: "samples", date: cutoff }, loader)).status, 403);
});

test("search_jobs_by_start_date lists jobs started inside the window, with converted times", async () => {
  const from = new Date(Date.now() - 60_000).toISOString();
  const mine = await job({ operation: "csv_data_load", database: "bulk", table: "plants", data: "id\n300\n" });
  const listed = await post({ operation: "search_jobs_by_start_date", from_date: from, to_date: new Date(Date.now() + 5000).toISOString() });
  assert.equal(listed.status, 200);
  const found = (listed.body as Json[]).find((j) => j.id === mine.id);
  assert.ok(found);
  assert.equal(found.start_datetime_converted, new Date(mine.start_datetime).toISOString());
  assert.equal(found.end_datetime_converted, new Date(mine.end_datetime).toISOString());
  const starts = (listed.body as Json[]).map((j) => j.start_datetime);
  assert.deepEqual(starts, [...starts].sort((a, b) => a - b));
  assert.deepEqual((await post({ operation: "search_jobs_by_start_date", from_date: "2001-02-03", to_date: "2001-02-04" })).body, []);
  const bad = await post({ operation: "search_jobs_by_start_date", from_date: "last tuesday", to_date: "2001-02-04" });
  assert.deepEqual(bad, { status: 400, body: { error: "There was an error searching jobs by date: Error: Invalid 'from' date, must be in ISO-8601 format (YYYY-MM-DD)." } });
});

test("a job that was running when the server stopped is marked failed when it starts again", async () => {
  const started = await post({ operation: "csv_url_load", database: "bulk", table: "plants", csv_url: `${webUrl}/stall.csv` });
  const id = started.body.job_id as string;
  const [running] = (await post({ operation: "get_job", id })).body as Json[];
  assert.equal(running.status, "IN_PROGRESS");
  await server.close();
  ({ server } = await startTestServer({}, root));
  const [after] = (await post({ operation: "get_job", id })).body as Json[];
  assert.equal(after.status, "ERROR");
  assert.equal(after.message, "The server stopped while this job was running");
  assert.ok(after.end_datetime >= after.start_datetime);
});

