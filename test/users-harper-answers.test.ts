import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type { RunningServer } from "../src/main.js";
import { basic, startTestServer, stopTestServer, poster } from "./server-fixture.js";

// The user operations with values of other JSON types than the contract's, as HarperDB 4.7.29
// answers them (recorded from the peer on 2026-12-07; its 500s are answered 400 here,
// docs/compatibility.md).

let root: string;
let server: RunningServer;

const post = poster(() => server);

before(async () => {
  ({ server, root } = await startTestServer());
  const role = await post({ operation: "add_role", role: "clerk", permission: {} });
  assert.equal(role.status, 200);
});

after(async () => {
  await stopTestServer(server, root);
});

test("add_user reports each value of a wrong type with Harper's validate.js text, joined by commas", async () => {
  assert.deepEqual(await post({ operation: "add_user", username: "u1", password: "pw", role: 5, active: "yes" }), {
    status: 400,
    body: { error: "Role is invalid,Active must be a boolean" },
  });
  assert.deepEqual(await post({ operation: "add_user", username: "u1", password: "pw", role: "clerk", active: 1 }), {
    status: 400,
    body: { error: "Active must be a boolean" },
  });
});

test("a numeric username or password is read as its text by add_user, alter_user and drop_user", async () => {
  assert.deepEqual(await post({ operation: "add_user", username: 61, password: 62, role: "clerk", active: true }), {
    status: 200,
    body: { message: "61 successfully added" },
  });
  const res = await fetch(`http://127.0.0.1:${server.port}/`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: basic("61", "62") },
    body: JSON.stringify({ operation: "user_info" }),
  });
  assert.equal(res.status, 200);
  assert.deepEqual(await post({ operation: "alter_user", username: "61", role: 7 }), {
    status: 404,
    body: { error: "Update failed.  Requested '7' role not found." },
  });
  assert.deepEqual(await post({ operation: "alter_user", username: 61, active: "yes", role: 7 }), {
    status: 400,
    body: { error: "active must be true or false" },
  });
  assert.deepEqual(await post({ operation: "drop_user", username: 61 }), { status: 200, body: { message: "61 successfully deleted" } });
});
