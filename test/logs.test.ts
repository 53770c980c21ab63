import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RunningServer } from "../src/main.js";
import { readLogFile } from "../src/log/read-log.js";
import { pruneAuditLogs } from "../src/log/audit-retention.js";
import { failureLevel } from "../src/log/request-log.js";
import { basic, poster, runJob, startTestServer, stopTestServer } from "./server-fixture.js";
import { withTable } from "./storage-fixture.js";

// read_log over the server's own log, the audit and transaction logs through NoSQL and SQL writes,
// their deletion jobs, and audit retention.

let root: string;
let server: RunningServer;
const admin = basic("admin", "password");
const marker = `m${Date.now().toString(36)}`;

const post = poster(() => server);
const job = (body: unknown) => runJob(post, body);

before(async () => {
  ({ server, root } = await startTestServer());
  for (let i = 0; i < 3; i++) await post({ operation: "describe_database", database: `${marker}_${i}` });
});

after(async () => {
  await stopTestServer(server, root);
});

test("read_log reads back what the server logged, with each filter", async () => {
  const mine = await post({ operation: "read_log", filter: marker, limit: 10 });
  assert.equal(mine.status, 200);
  assert.deepEqual(
    mine.body.map((e: any) => [e.thread, e.level, e.tags, e.message]),
    // A client mistake is logged at warn (Harper: error; docs/compatibility.md).
    [0, 1, 2].map((i) => ["http/1", "warn", [], `database '${marker}_${i}' does not exist`]),
  );
  const [first] = mine.body;
  assert.ok(!Number.isNaN(Date.parse(first.timestamp)));
  const paged = await post({ operation: "read_log", filter: marker, start: 1, limit: 1 });
  assert.deepEqual(paged.body.map((e: any) => e.message), [`database '${marker}_1' does not exist`]);
  const newest = await post({ operation: "read_log", filter: marker, order: "desc", limit: 2 });
  assert.deepEqual(newest.body.map((e: any) => e.message), [2, 1].map((i) => `database '${marker}_${i}' does not exist`));
  assert.deepEqual((await post({ operation: "read_log", filter: marker, level: "error" })).body, []);
  assert.equal((await post({ operation: "read_log", filter: marker, level: "warn" })).body.length, 3);
  const window = await post({ operation: "read_log", filter: marker, from: first.timestamp, until: new Date(Date.now() + 60_000).toISOString() });
  assert.equal(window.body.length, 3);
  assert.deepEqual((await post({ operation: "read_log", filter: marker, from: "2001-01-01", until: "2001-01-02" })).body, []);
  const started = await post({ operation: "read_log", level: "notify", order: "asc", limit: 1 });
  assert.match(started.body[0].message, /^harper-ops started on port/);
});

/** The top-level keys of a JSON object's text in order, repeats included (JSON.parse keeps only the last). */
function topLevelKeys(text: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let end = i + 1;
      while (text[end] !== '"') end += text[end] === "\\" ? 2 : 1;
      let next = end + 1;
      while (text[next] === " ") next++;
      if (depth === 1 && text[next] === ":") keys.push(JSON.parse(text.slice(i, end + 1)) as string);
      i = end;
    } else if (c === "{" || c === "[") depth++;
    else if (c === "}" || c === "]") depth--;
  }
  return keys;
}

test("every log line is a JSON object with each key once; request lines are on thread http/1", async () => {
  const url = `http://127.0.0.1:${server.port}`;
  await post({ operation: "describe_all" });
  await post({ operation: "describe_database", database: `${marker}_once` });
  await post({ operation: "no_such_operation" });
  await fetch(`${url}/`, { method: "POST", headers: { "content-type": "application/json", authorization: admin }, body: "{" });
  await fetch(`${url}/x`, { headers: { authorization: admin } });
  // read_log answers once the lines before it are in the file.
  await post({ operation: "read_log", filter: `${marker}_once`, limit: 1 });
  const lines = readFileSync(join(root, "log", "hdb.log"), "utf8").split("\n").filter((line) => line !== "");
  assert.ok(lines.length > 10, `${lines.length} lines`);
  for (const line of lines) {
    const entry: unknown = JSON.parse(line);
    assert.ok(entry !== null && typeof entry === "object" && !Array.isArray(entry), line);
    const keys = topLevelKeys(line);
    assert.deepEqual(keys, [...new Set(keys)], `a key repeated in ${line}`);
    assert.deepEqual(keys.slice(0, 3), ["level", "time", "thread"], line);
  }
  const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  const requests = entries.filter((e) => "duration_ms" in e);
  assert.ok(requests.length >= 2);
  assert.ok(requests.every((e) => e["thread"] === "http/1"));
  const started = entries.find((e) => typeof e["message"] === "string" && e["message"].startsWith("harper-ops started on port"));
  assert.match(String(started?.["thread"]), /^main\/\d+$/);
});

test("failureLevel puts a client mistake (4xx) at warn and a server failure at error", () => {
  assert.deepEqual([400, 403, 404, 413, 499].map(failureLevel), ["warn", "warn", "warn", "warn", "warn"]);
  assert.deepEqual([500, 501, 503].map(failureLevel), ["error", "error", "error"]);
});

test("read_log refuses bad parameters with Harper's joined messages", async () => {
  assert.deepEqual(await post({ operation: "read_log", level: "loud" }), { status: 400, body: { error: "'level' must be one of [notify, fatal, error, warn, info, debug, trace]" } });
  assert.deepEqual(await post({ operation: "read_log", from: "x", order: "up" }), { status: 400, body: { error: "'from' date 'x' is invalid.. 'order' must be one of [asc, desc]" } });
  assert.deepEqual(await post({ operation: "read_log", start: -1, limit: 0 }), {
    status: 400,
    body: { error: "'start' must be greater than or equal to 0. 'limit' must be greater than or equal to 1" },
  });
  assert.deepEqual(await post({ operation: "read_log", limit: "many" }), { status: 400, body: { error: "'limit' must be a number" } });
});

test("a desc read of a large log stops at the page: the head of the file is never read", async () => {
  const dir = mkdtempSync(join(tmpdir(), "harper-log-"));
  try {
    const file = join(dir, "hdb.log");
    const line = (i: number, message: string) => JSON.stringify({ level: "info", time: new Date(1_700_000_000_000 + i).toISOString(), thread: "main/0", tags: [], message }) + "\n";
    // The head matches the filter too: reading it would show in the answer.
    writeFileSync(file, Array.from({ length: 1000 }, (_, i) => line(i, "needle old")).join(""));
    let body = "";
    for (let i = 1000; i < 200_000; i++) body += line(i, i % 1000 === 0 ? "needle new" : "hay");
    appendFileSync(file, body);
    const page = await readLogFile(file, { start: 0, limit: 100, order: "desc", filter: "needle" });
    assert.equal(page.length, 100);
    assert.ok(page.every((e) => e.message === "needle new"));
    assert.ok(Date.parse(page[0]!.timestamp) > Date.parse(page[99]!.timestamp));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("audit entries of NoSQL and SQL writes show the after-images, and the before-images on request", async () => {
  await post({ operation: "create_table", database: "auditdb", table: "t", primary_key: "id" });
  await post({ operation: "insert", database: "auditdb", table: "t", records: [{ id: 1, v: "a" }] });
  await post({ operation: "update", database: "auditdb", table: "t", records: [{ id: 1, v: "b" }] });
  await post({ operation: "sql", sql: "UPDATE auditdb.t SET v = 'c' WHERE id = 1" });
  await post({ operation: "upsert", database: "auditdb", table: "t", records: [{ id: 2, v: "x" }] });
  await post({ operation: "sql", sql: "DELETE FROM auditdb.t WHERE id = 2" });
  const log = await post({ operation: "read_audit_log", schema: "auditdb", table: "t", include_original_records: true });
  assert.equal(log.status, 200);
  const shape = log.body.map((e: any) => ({
    operation: e.operation,
    user: e.user_name,
    ids: e.hash_values,
    after: e.records.map((r: any) => r?.v ?? null),
    before: e.original_records.map((r: any) => r?.v ?? null),
  }));
  assert.deepEqual(shape, [
    { operation: "insert", user: "admin", ids: [1], after: ["a"], before: [null] },
    { operation: "update", user: "admin", ids: [1], after: ["b"], before: ["a"] },
    { operation: "update", user: "admin", ids: [1], after: ["c"], before: ["b"] },
    { operation: "upsert", user: "admin", ids: [2], after: ["x"], before: [null] },
    { operation: "delete", user: "admin", ids: [2], after: [null], before: ["x"] },
  ]);
  const plain = await post({ operation: "read_transaction_log", schema: "auditdb", table: "t", limit: 1 });
  assert.deepEqual(Object.keys(plain.body[0]), ["operation", "user_name", "timestamp", "hash_values", "records"]);
  const history = await post({ operation: "read_audit_log", schema: "auditdb", table: "t", search_type: "hash_value", search_values: [1, 99] });
  assert.deepEqual(history.body[99], []);
  assert.deepEqual(history.body[1].map((e: any) => [e.operation, e.records[0].v]), [["upsert", "a"], ["upsert", "b"], ["upsert", "c"]]);
  const purged = await job({ operation: "delete_audit_logs_before", schema: "auditdb", table: "t", timestamp: Date.now() + 1000 });
  assert.deepEqual([purged.status, purged.message], ["COMPLETE", `Successfully completed job: ${purged.id}`]);
  assert.deepEqual((await post({ operation: "read_audit_log", schema: "auditdb", table: "t" })).body, []);
  const missing = await job({ operation: "delete_transaction_logs_before", schema: "auditdb", table: "nope", timestamp: 1 });
  assert.deepEqual([missing.status, missing.message], ["ERROR", "Table 'auditdb.nope' does not exist"]);
});

test(
  "audit retention removes only the entries older than the limit",
  withTable(async (table, storage) => {
    await table.write("insert", [{ id: 1 }], {});
    await new Promise((resolve) => setTimeout(resolve, 5));
    await table.write("insert", [{ id: 2 }], {});
    const [first, second] = [...table.readLog()].map((entry) => entry.timestamp) as [number, number];
    // "now" is chosen so that the limit (now - 1000 ms) falls between the two writes.
    const removed = await pruneAuditLogs(storage, 1000, (first + second) / 2 + 1000);
    assert.equal(removed, 1);
    assert.deepEqual([...table.readLog()].map((e) => e.hash_values), [[2]]);
  }),
);

test("the log rotates by size, and read_log spans the rotated files", async () => {
  const rotating = await startTestServer({ LOGGING_ROTATION_MAXSIZE: "2K" });
  try {
    const call = (body: unknown) =>
      fetch(`http://127.0.0.1:${rotating.server.port}/`, { method: "POST", headers: { "content-type": "application/json", authorization: admin }, body: JSON.stringify(body) });
    const tag = `r${Date.now().toString(36)}`;
    for (let i = 0; i < 30; i++) await call({ operation: "describe_database", database: `${tag}_${i}` });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    for (let i = 30; i < 35; i++) await call({ operation: "describe_database", database: `${tag}_${i}` });
    const { rotatedLogs } = await import("../src/log/rotation.js");
    assert.ok(rotatedLogs(join(rotating.root, "log")).length >= 1, "a rotated file");
    const res = await call({ operation: "read_log", filter: tag, limit: 100 });
    const messages = ((await res.json()) as any[]).map((e) => e.message);
    assert.equal(messages.length, 35);
    assert.equal(messages[0], `database '${tag}_0' does not exist`);
    assert.equal(messages[34], `database '${tag}_34' does not exist`);
  } finally {
    await stopTestServer(rotating.server, rotating.root);
  }
});
