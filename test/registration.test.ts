import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type { RunningServer } from "../src/main.js";
import { basic, startTestServer, stopTestServer, poster } from "./server-fixture.js";

// The deprecated registration stubs, as HarperDB 4.7.29 answers them (spec
// components-certs-analytics-registration.md §4.1, conformance transcript system.json).

let root: string;
let server: RunningServer;

const post = poster(() => server);

before(async () => {
  ({ server, root } = await startTestServer());
  await post({ operation: "add_role", role: "clerk", permission: {} });
  await post({ operation: "add_user", role: "clerk", username: "clerk", password: "pw", active: true });
});

after(async () => {
  await stopTestServer(server, root);
});

test("registration_info answers the Harper version it speaks to any user", async () => {
  for (const caller of [basic("admin", "password"), basic("clerk", "pw")]) {
    assert.deepEqual(await post({ operation: "registration_info" }, caller), { status: 200, body: { version: "4.7.29", deprecated: true } });
  }
});

test("get_fingerprint and set_license are deprecated stubs for super users, set_license ignoring its input", async () => {
  assert.deepEqual(await post({ operation: "get_fingerprint" }), { status: 200, body: { message: "this-is-deprecated", deprecated: true } });
  assert.deepEqual(await post({ operation: "set_license", key: "abc", company: 5 }), { status: 200, body: { deprecated: true } });
  for (const [operation, internal] of [["get_fingerprint", "getFingerprint"], ["set_license", "setLicense"]]) {
    const refused = await post({ operation }, basic("clerk", "pw"));
    assert.equal(refused.status, 403);
    assert.deepEqual(refused.body["unauthorized_access"], [`Operation '${internal}' is restricted to 'super_user' roles`]);
  }
});

test("the usage license operations are not built yet and say so", async () => {
  assert.deepEqual(await post({ operation: "get_usage_licenses" }), { status: 501, body: { error: "Operation 'get_usage_licenses' is not implemented yet" } });
});
