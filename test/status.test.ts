import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { SystemService } from "../gen/harper/v1/system_service_pb.js";
import type { RunningServer } from "../src/main.js";
import { basic, startTestServer, stopTestServer, poster } from "./server-fixture.js";

// set_status, get_status and clear_status on system.hdb_status. Expected answers were recorded
// from HarperDB 4.7.29 on 2026-12-07 (../shared/bench/peer.sh), beyond the conformance
// transcripts' steps.

let root: string;
let server: RunningServer;
const admin = basic("admin", "password");

const post = poster(() => server);

before(async () => {
  ({ server, root } = await startTestServer());
  await post({ operation: "add_role", role: "clerk", permission: {} });
  await post({ operation: "add_user", role: "clerk", username: "clerk", password: "pw", active: true });
});

after(async () => {
  await stopTestServer(server, root);
});

test("set_status reports every problem, joined as Harper joins them", async () => {
  const cases: Array<[unknown, string]> = [
    [{ id: "mood" }, "'id' must be one of [primary, maintenance, availability]. 'status' is required"],
    [{ id: "mood", status: "" }, "'id' must be one of [primary, maintenance, availability]. 'status' is not allowed to be empty"],
    [{ status: "" }, "'status' is not allowed to be empty"],
    [{ status: 5 }, "'status' must be a string"],
    [{ id: 5, status: "x" }, "'id' must be one of [primary, maintenance, availability]. 'id' must be a string"],
    [{ id: "", status: "x" }, "'id' must be one of [primary, maintenance, availability]. 'id' is not allowed to be empty"],
    [{ status: "x".repeat(513) }, "'status' length must be less than or equal to 512 characters long"],
    [{ id: "availability", status: "available" }, 'Status "availability" only accepts these values: Available, Unavailable'],
  ];
  for (const [fields, error] of cases) {
    assert.deepEqual(await post({ operation: "set_status", ...(fields as object) }), { status: 400, body: { error } }, JSON.stringify(fields));
  }
});

test("set_status defaults to primary; get_status shows the records, every component and restartRequired", async () => {
  assert.deepEqual(await post({ operation: "set_status", status: "ok" }), { status: 200, body: {} });
  assert.deepEqual(await post({ operation: "set_status", id: "availability", status: "Available" }), { status: 200, body: {} });
  const primary = await post({ operation: "get_status", id: "primary" });
  assert.equal(primary.body["status"], "ok");
  assert.equal(primary.body["id"], "primary");
  assert.equal(typeof primary.body["__createdtime__"], "number");
  assert.deepEqual(await post({ operation: "get_status", id: "nope" }), { status: 200, body: {} });
  assert.deepEqual(await post({ operation: "get_status", id: 5 }), { status: 200, body: {} });
  const all = await post({ operation: "get_status" });
  assert.equal(all.status, 200);
  const records = all.body["systemStatus"] as Array<Record<string, unknown>>;
  assert.deepEqual(records.map((r) => [r["id"], r["status"]]).sort(), [["availability", "Available"], ["primary", "ok"]]);
  const components = all.body["componentStatus"] as Array<Record<string, unknown>>;
  assert.ok(components.length > 0);
  for (const component of components) {
    assert.deepEqual(Object.keys(component), ["name", "componentName", "status", "lastChecked"]);
    assert.equal(component["name"], component["componentName"]);
    assert.equal(component["status"], "healthy");
    const checked = component["lastChecked"] as { workers: Record<string, number>; main: number };
    assert.equal(typeof checked.main, "number");
    assert.equal(typeof checked.workers["0"], "number");
  }
  assert.equal(all.body["restartRequired"], false);
});

test("clear_status answers true whether or not the record exists, and the record is gone", async () => {
  await post({ operation: "set_status", id: "maintenance", status: "window" });
  for (const id of ["maintenance", "nope", 5, undefined]) {
    assert.deepEqual(await post({ operation: "clear_status", id }), { status: 200, body: { message: true } }, String(id));
  }
  assert.deepEqual(await post({ operation: "get_status", id: "maintenance" }), { status: 200, body: {} });
});

test("the status operations are for super users only, on every protocol", async () => {
  for (const operation of ["set_status", "get_status", "clear_status"]) {
    const internal = { set_status: "setStatus", get_status: "getStatus", clear_status: "clearStatus" }[operation];
    assert.deepEqual(await post({ operation, status: "x" }, basic("clerk", "pw")), {
      status: 403,
      body: {
        error: "This operation is not authorized due to role restrictions and/or invalid database items",
        unauthorized_access: [`Operation '${internal}' is restricted to 'super_user' roles`],
        invalid_schema_items: [],
      },
    });
  }
  const client = createClient(SystemService, createConnectTransport({ baseUrl: `http://127.0.0.1:${server.port}`, httpVersion: "1.1" }));
  await client.setStatus({ id: "primary", status: "from-connect" }, { headers: { authorization: admin } });
  const answer = await client.getStatus({ id: "primary" }, { headers: { authorization: admin } });
  assert.equal(answer.status?.["status"], "from-connect");
});

test("a status survives a restart: it is stored in system.hdb_status", async () => {
  await post({ operation: "set_status", id: "primary", status: "persisted" });
  await server.close();
  ({ server } = await startTestServer({}, root));
  const primary = await post({ operation: "get_status", id: "primary" });
  assert.equal(primary.body["status"], "persisted");
});
