import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type { RunningServer } from "../src/main.js";
import { basic, startTestServer, stopTestServer, poster } from "./server-fixture.js";

// system_information (spec system-config-logs.md §4). Shapes compared with HarperDB 4.7.29's
// answer on 2026-12-08 (peer on 127.0.0.1:29925); table_size lists the tables, where 4.7.29
// answers [].

let root: string;
let server: RunningServer;

const post = poster(() => server);

before(async () => {
  ({ server, root } = await startTestServer());
  await post({ operation: "add_role", role: "clerk", permission: {} });
  await post({ operation: "add_user", role: "clerk", username: "clerk", password: "pw", active: true });
  assert.equal((await post({ operation: "create_table", database: "sysinfo", table: "dog", primary_key: "id" })).status, 200);
  const insert = await post({ operation: "insert", database: "sysinfo", table: "dog", records: [{ id: 1, name: "a" }, { id: 2, name: "b" }, { id: 3, name: "c" }] });
  assert.equal(insert.status, 200, JSON.stringify(insert.body));
});

after(async () => {
  await stopTestServer(server, root);
});

const numberKeys = (value: Record<string, unknown>, keys: string[]) => {
  for (const key of keys) assert.equal(typeof value[key], "number", key);
};

test("system_information answers every section with Harper's keys, within a couple of seconds", async () => {
  const started = Date.now();
  const res = await post({ operation: "system_information" });
  assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
  assert.equal(res.status, 200);
  const body = res.body;
  assert.deepEqual(Object.keys(body), ["system", "time", "cpu", "memory", "disk", "network", "harperdb_processes", "table_size", "metrics", "threads"]);
  assert.deepEqual(Object.keys(body.system), ["platform", "distro", "release", "codename", "kernel", "arch", "hostname", "fqdn", "node_version", "npm_version"]);
  assert.equal(body.system.node_version, process.versions.node);
  assert.deepEqual(Object.keys(body.time), ["current", "uptime", "timezone", "timezoneName"]);
  numberKeys(body.time, ["current", "uptime"]);
  assert.match(body.time.timezone, /^UTC[+-]\d{4}$/);
  for (const key of ["manufacturer", "brand", "vendor", "speed", "cores", "physicalCores", "processors", "flags", "virtualization", "cpu_speed", "current_load"]) {
    assert.ok(key in body.cpu, key);
  }
  numberKeys(body.cpu, ["cores", "physicalCores", "processors"]);
  assert.deepEqual(Object.keys(body.cpu.cpu_speed), ["min", "max", "avg", "cores"]);
  numberKeys(body.cpu.current_load, ["avgLoad", "currentLoad", "currentLoadUser", "currentLoadIdle", "rawCurrentLoad"]);
  assert.ok(Array.isArray(body.cpu.current_load.cpus) && body.cpu.current_load.cpus.length > 0);
  assert.deepEqual(Object.keys(body.memory), [
    "total", "free", "used", "active", "available", "reclaimable", "swaptotal", "swapused", "swapfree", "writeback", "dirty",
    "rss", "heapTotal", "heapUsed", "external", "arrayBuffers",
  ]);
  numberKeys(body.memory, ["total", "free", "used", "rss", "heapUsed"]);
  assert.deepEqual(body.disk, {});
  assert.deepEqual(body.network, { default_interface: null, latency: {}, interfaces: [], stats: [], connections: [] });
  assert.deepEqual(body.harperdb_processes.clustering, []);
  assert.equal(body.harperdb_processes.core.length, 1);
  const core = body.harperdb_processes.core[0];
  assert.equal(core.pid, process.pid);
  for (const key of ["pid", "parentPid", "name", "cpu", "cpuu", "cpus", "mem", "priority", "memVsz", "memRss", "nice", "started", "state", "tty", "user", "command", "params", "path"]) {
    assert.ok(key in core, key);
  }
  assert.ok(Array.isArray(body.table_size));
  assert.equal(body.threads.length, 1);
  assert.deepEqual(Object.keys(body.threads[0]), ["threadId", "name", "heapTotal", "heapUsed", "externalMemory", "arrayBuffers", "sinceLastUpdate", "idle", "active", "utilization"]);
  assert.equal(body.threads[0].name, "http");
  numberKeys(body.threads[0], ["threadId", "heapTotal", "heapUsed", "externalMemory", "arrayBuffers", "sinceLastUpdate", "idle", "active", "utilization"]);
  assert.ok(!("replication" in body));
});

test("metrics reports each database's LMDB statistics, system included, with its tables", async () => {
  const { status, body } = await post({ operation: "system_information", attributes: ["metrics"] });
  assert.equal(status, 200);
  assert.deepEqual(Object.keys(body), ["metrics"]);
  assert.ok("system" in body.metrics);
  const db = body.metrics.sysinfo;
  numberKeys(db, ["pageSize", "treeDepth", "treeBranchPageCount", "treeLeafPageCount", "entryCount", "overflowPages", "mapSize", "lastPageNumber", "lastTxnId", "maxReaders", "numReaders"]);
  assert.ok(Array.isArray(db.readers));
  for (const reader of db.readers) assert.deepEqual(Object.keys(reader), ["pid", "thread", "txnid"]);
  numberKeys(db.free, ["treeDepth", "entryCount"]);
  numberKeys(db.audit, ["treeDepth", "treeBranchPageCount", "treeLeafPageCount", "entryCount", "overflowPages"]);
  assert.deepEqual(Object.keys(db.tables), ["dog"]);
  assert.deepEqual(db.tables.dog, { ...db.tables.dog, entryCount: 3 });
  assert.deepEqual(Object.keys(db.tables.dog), ["treeDepth", "treeBranchPageCount", "treeLeafPageCount", "entryCount", "overflowPages"]);
  assert.ok(!("auditEntries" in db));
  assert.ok(Object.keys(body.metrics.system.tables).includes("hdb_user"));
});

test("database_metrics is an alias of metrics", async () => {
  const { status, body } = await post({ operation: "system_information", attributes: ["database_metrics"] });
  assert.equal(status, 200);
  assert.deepEqual(Object.keys(body), ["metrics"]);
  assert.ok("sysinfo" in body.metrics);
});

test("table_size lists every non-system table with its record count", async () => {
  const { status, body } = await post({ operation: "system_information", attributes: ["table_size"] });
  assert.equal(status, 200);
  assert.deepEqual(Object.keys(body), ["table_size"]);
  const dog = body.table_size.find((entry: any) => entry.schema === "sysinfo" && entry.table === "dog");
  assert.deepEqual(Object.keys(dog), ["schema", "table", "record_count", "transaction_log_record_count"]);
  assert.equal(dog.record_count, 3);
  assert.equal(typeof dog.transaction_log_record_count, "number");
  assert.ok(!body.table_size.some((entry: any) => entry.schema === "system"));
});

test("attributes choose the sections; system..harperdb_processes come first in Harper's order", async () => {
  const some = await post({ operation: "system_information", attributes: ["threads", "memory", "nope", "time"] });
  assert.equal(some.status, 200);
  assert.deepEqual(Object.keys(some.body), ["time", "memory", "threads"]);
  const later = await post({ operation: "system_information", attributes: ["harperdb_processes", "disk", "system"] });
  assert.deepEqual(Object.keys(later.body), ["system", "disk", "harperdb_processes"]);
  assert.deepEqual((await post({ operation: "system_information", attributes: ["replication"] })).body, {});
  assert.deepEqual((await post({ operation: "system_information", attributes: ["nope"] })).body, {});
  const empty = await post({ operation: "system_information", attributes: [] });
  assert.equal(empty.status, 200);
  assert.equal(Object.keys(empty.body).length, 10);
  // HarperDB 4.7.29 (recorded from the peer): attributes that are not an array mean every section.
  for (const attributes of ["cpu", 5]) {
    const all = await post({ operation: "system_information", attributes });
    assert.equal(all.status, 200, JSON.stringify(attributes));
    assert.equal(Object.keys(all.body).length, 10, JSON.stringify(attributes));
  }
});

test("threads measures the event loop since the previous call", async () => {
  await post({ operation: "system_information", attributes: ["threads"] });
  await new Promise((resolve) => setTimeout(resolve, 100));
  const { body } = await post({ operation: "system_information", attributes: ["threads"] });
  const thread = body.threads[0];
  assert.ok(thread.sinceLastUpdate >= 90 && thread.sinceLastUpdate < 2000, String(thread.sinceLastUpdate));
  assert.ok(thread.utilization >= 0 && thread.utilization <= 1);
});

test("system_information is for super users only", async () => {
  const res = await post({ operation: "system_information" }, basic("clerk", "pw"));
  assert.equal(res.status, 403);
  assert.deepEqual(res.body.unauthorized_access, ["Operation 'systemInformation' is restricted to 'super_user' roles"]);
});
