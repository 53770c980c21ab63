import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type { RunningServer } from "../src/main.js";
import { downloadObject, uploadObject } from "../src/bulk/s3/s3-client.js";
import type { S3Target } from "../src/bulk/s3/s3-client.js";
import { basic, startTestServer, stopTestServer } from "./server-fixture.js";
import { startS3Server } from "./s3-server-fixture.js";
import type { S3Server } from "./s3-server-fixture.js";

// export_to_s3 and import_from_s3 against a real S3-compatible server (s3rver) on loopback,
// configured with bulk.s3Endpoint: a table goes out as JSON and CSV and comes back identical.

let root: string;
let server: RunningServer;
let s3: S3Server;
const admin = basic("admin", "password");
const credentials = { aws_access_key_id: "S3RVER", aws_secret_access_key: "S3RVER", region: "us-east-1" };

async function post(body: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`http://127.0.0.1:${server.port}/`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: admin },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

async function job(body: unknown): Promise<any> {
  const started = await post(body);
  assert.equal(started.status, 200, JSON.stringify(started.body));
  for (let i = 0; i < 400; i++) {
    const [record] = (await post({ operation: "get_job", id: started.body.job_id })).body;
    if (record.status === "COMPLETE" || record.status === "ERROR") return record;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error("job did not end");
}

const records = [
  { id: 1, name: "Ann", score: 1.5, ok: true, tags: ["a", "b"] },
  { id: 2, name: 'Bo "B", jr', score: -2, ok: false, tags: ["c"] },
  { id: 3, name: "Cy", score: 0, ok: true, tags: [] },
];

before(async () => {
  s3 = await startS3Server();
  ({ server, root } = await startTestServer({ BULK_S3ENDPOINT: s3.endpoint, BULK_S3FORCEPATHSTYLE: "true" }));
  for (const table of ["source", "from_json", "from_csv"]) await post({ operation: "create_table", database: "cloud", table, primary_key: "id" });
  await post({ operation: "insert", database: "cloud", table: "source", records });
});

after(async () => {
  await stopTestServer(server, root);
  await s3.stop();
});

test("the S3 client uploads and downloads through the local S3 server", async () => {
  const target: S3Target = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER", region: "us-east-1", bucket: s3.bucket, key: "direct/x.txt", endpoint: s3.endpoint, forcePathStyle: true };
  const result = await uploadObject(target, "hello, s3", "text/plain");
  assert.equal(result["Key"], "direct/x.txt");
  const { body } = await downloadObject(target);
  const parts: Buffer[] = [];
  for await (const chunk of body) parts.push(Buffer.from(chunk));
  assert.equal(Buffer.concat(parts).toString(), "hello, s3");
  await assert.rejects(downloadObject({ ...target, key: "direct/missing.txt" }), /does not exist/);
});

test("export_to_s3 then import_from_s3 round-trips a table as JSON and as CSV", async () => {
  const search = { operation: "sql", sql: "SELECT id, name, score, ok, tags FROM cloud.source ORDER BY id" };
  for (const format of ["json", "csv"] as const) {
    const exported = await job({ operation: "export_to_s3", format, search_operation: search, s3: { ...credentials, bucket: s3.bucket, key: `exports/source` } });
    assert.equal(exported.status, "COMPLETE", JSON.stringify(exported));
    assert.equal(exported.message, `Successfully completed job: ${exported.id}`);
    assert.equal(exported.result.Key, `exports/source.${format}`);
    const imported = await job({
      operation: "import_from_s3",
      database: "cloud",
      table: format === "json" ? "from_json" : "from_csv",
      s3: { ...credentials, bucket: s3.bucket, key: `exports/source.${format}` },
    });
    assert.deepEqual([imported.status, imported.message], ["COMPLETE", "successfully loaded 3 of 3 records"]);
  }
  const read = async (table: string) =>
    (await post({ operation: "search_by_id", database: "cloud", table, ids: [1, 2, 3], get_attributes: ["id", "name", "score", "ok", "tags"] })).body;
  assert.deepEqual(await read("from_json"), records);
  assert.deepEqual(await read("from_csv"), records);
});

test("import_from_s3 of a missing object fails the job with S3's message", async () => {
  const failed = await job({ operation: "import_from_s3", database: "cloud", table: "from_csv", s3: { ...credentials, bucket: s3.bucket, key: "nothing/here.csv" } });
  assert.equal(failed.status, "ERROR");
  assert.match(failed.message, /does not exist/);
  const stored = await post({ operation: "search_by_conditions", database: "system", table: "hdb_job", get_attributes: ["request"], conditions: [{ attribute: "id", comparator: "equals", value: failed.id }] });
  assert.ok(!JSON.stringify(stored.body).includes("aws_secret_access_key"));
});
