import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { createServer as createHttpServer } from "node:http";
import type { ClientRequest } from "node:http";
import { createServer } from "node:net";
import { Readable } from "node:stream";
import type { RunningServer } from "../src/main.js";
import { downloadObject, uploadObject } from "../src/bulk/s3/s3-client.js";
import type { S3Target } from "../src/bulk/s3/s3-client.js";
import { poster, runJob, startTestServer, stopTestServer } from "./server-fixture.js";
import { startS3Server } from "./s3-server-fixture.js";
import type { S3Server } from "./s3-server-fixture.js";

// The S3 client, then export_to_s3 and import_from_s3, against a real S3-compatible server
// (s3rver) on loopback; the Harper server is configured with bulk.s3Endpoint.

let root: string;
let server: RunningServer;
let s3: S3Server;
const credentials = { aws_access_key_id: "S3RVER", aws_secret_access_key: "S3RVER", region: "us-east-1" };

/** A target in the local bucket (s3rver knows the access key "S3RVER"). */
const target = (key: string): S3Target => ({
  accessKeyId: "S3RVER",
  secretAccessKey: "S3RVER",
  region: "us-east-1",
  bucket: s3.bucket,
  key,
  endpoint: s3.endpoint,
  forcePathStyle: true,
});

async function downloaded(key: string): Promise<Buffer> {
  const { body } = await downloadObject(target(key));
  const parts: Buffer[] = [];
  for await (const chunk of body) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts);
}

const md5 = (data: Buffer | string) => createHash("md5").update(data).digest("hex");

/** A loopback port nobody listens on. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

const post = poster(() => server);
const job = (body: unknown) => runJob(post, body);

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

test("a string uploaded with a content type downloads back byte-exact", async () => {
  const text = 'id,name\r\n1,"Zoë ✓"\n2,日本\n';
  await uploadObject(target("direct/text.csv"), text, "text/csv");
  const bytes = await downloaded("direct/text.csv");
  assert.equal(bytes.length, Buffer.byteLength(text));
  assert.equal(bytes.toString("utf8"), text);
  const { length, body } = await downloadObject(target("direct/text.csv"));
  assert.equal(length, Buffer.byteLength(text));
  for await (const chunk of body) void chunk;
  // The content type reached the store: read the object without the SDK.
  const raw = await fetch(`${s3.endpoint}/${s3.bucket}/direct/text.csv`);
  assert.equal(raw.headers.get("content-type"), "text/csv");
  assert.equal(await raw.text(), text);
});

test("a multi-MB stream of unknown length goes up in parts and downloads identical", async () => {
  const data = randomBytes(11 * 1024 * 1024 + 777);
  async function* chunks(): AsyncIterable<Uint8Array> {
    for (let at = 0; at < data.length; at += 64 * 1024) yield data.subarray(at, at + 64 * 1024);
  }
  // Watch the client's requests: a multipart upload sends its 5 MB parts as `PUT …?partNumber=N`.
  const requests: string[] = [];
  const watch = (message: unknown) => {
    const { request } = message as { request: ClientRequest };
    requests.push(`${request.method} ${request.path}`);
  };
  subscribe("http.client.request.start", watch);
  let result: Record<string, unknown>;
  try {
    result = await uploadObject(target("direct/big.bin"), chunks(), "application/octet-stream");
  } finally {
    unsubscribe("http.client.request.start", watch);
  }
  const parts = requests.filter((line) => line.startsWith("PUT /harper-test/direct/big.bin?") && /partNumber=\d/.test(line));
  assert.equal(parts.length, 3, requests.join("\n"));
  assert.equal(result["Key"], "direct/big.bin");
  assert.match(String(result["ETag"]), /^"[0-9a-f-]+"$/);
  const back = await downloaded("direct/big.bin");
  assert.equal(back.length, data.length);
  assert.equal(md5(back), md5(data));
  // A Node Readable is taken as it is.
  await uploadObject(target("direct/readable.txt"), Readable.from([Buffer.from("one,"), Buffer.from("two")]), "text/plain");
  assert.equal((await downloaded("direct/readable.txt")).toString(), "one,two");
});

test("the upload result is plain JSON with Key, Bucket, ETag and Location", async () => {
  const result = await uploadObject(target("direct/result.json"), Buffer.from("[1,2]"), "application/json");
  assert.equal(result["Key"], "direct/result.json");
  assert.equal(result["Bucket"], s3.bucket);
  assert.equal(result["ETag"], `"${md5("[1,2]")}"`);
  assert.equal(result["Location"], `${s3.endpoint}/${s3.bucket}/direct/result.json`);
  assert.deepEqual(JSON.parse(JSON.stringify(result)), result);
});

test("downloading a missing key rejects with S3's message", async () => {
  await assert.rejects(downloadObject(target("direct/missing.csv")), { message: "The specified key does not exist." });
  await assert.rejects(downloadObject({ ...target("x.csv"), bucket: "no-such-bucket" }), { message: "The specified bucket does not exist" });
});

test("a body stream that fails rejects the upload with its error and leaves no object", async () => {
  async function* failing(): AsyncIterable<Uint8Array> {
    yield Buffer.alloc(6 * 1024 * 1024, 120);
    throw new Error("the export search failed");
  }
  await assert.rejects(uploadObject(target("direct/broken.csv"), failing(), "text/csv"), { message: "the export search failed" });
  await assert.rejects(downloadObject(target("direct/broken.csv")), /does not exist/);
});

test("an unreachable endpoint rejects quickly with the connection error", async () => {
  const port = await closedPort();
  const nowhere = { ...target("x.csv"), endpoint: `http://127.0.0.1:${port}` };
  const started = Date.now();
  await assert.rejects(downloadObject(nowhere), { message: `connect ECONNREFUSED 127.0.0.1:${port}` });
  await assert.rejects(uploadObject(nowhere, "a,b\n1,2", "text/csv"), { message: `connect ECONNREFUSED 127.0.0.1:${port}` });
  assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
});

test("an endpoint that does not speak S3 gives a message with the HTTP status", async () => {
  const statuses = [404, 500];
  const web = createHttpServer((_request, response) => {
    const status = statuses.shift() ?? 503;
    response.writeHead(status, { "content-type": "text/plain" }).end(status === 404 ? "" : "oops");
  });
  await new Promise<void>((resolve) => web.listen(0, "127.0.0.1", resolve));
  const notS3 = { ...target("x.csv"), endpoint: `http://127.0.0.1:${(web.address() as { port: number }).port}` };
  try {
    await assert.rejects(downloadObject(notS3), { message: "S3 request failed without an error message (HTTP 404 NotFound)" });
    // A 500 is retried; every answer is plain text.
    await assert.rejects(downloadObject(notS3), { message: /^S3 request failed: the endpoint answered HTTP 50\d with a body that is not S3 XML$/ });
  } finally {
    web.closeAllConnections();
    await new Promise((resolve) => web.close(resolve));
  }
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
