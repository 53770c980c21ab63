import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { RunningServer } from "../src/main.js";
import { basic, startTestServer, stopTestServer } from "./server-fixture.js";

// GET /health and GET /ready for load balancers (Harper has neither): no credentials, no body
// read, nothing about the machine told, never logged at error.

let root: string;
let server: RunningServer;
const url = (path: string) => `http://127.0.0.1:${server.port}${path}`;

before(async () => {
  ({ server, root } = await startTestServer({ LOGGING_LEVEL: "debug" }));
});

after(async () => {
  await stopTestServer(server, root);
});

async function setAvailability(status: string) {
  const res = await fetch(url("/"), {
    method: "POST",
    headers: { "content-type": "application/json", authorization: basic("admin", "password") },
    body: JSON.stringify({ operation: "set_status", id: "availability", status }),
  });
  assert.equal(res.status, 200);
}

test("/health answers 200 without credentials", async () => {
  const res = await fetch(url("/health"));
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { status: "ok" });
  assert.equal(res.headers.get("cache-control"), "no-store");
  const head = await fetch(url("/health"), { method: "HEAD" });
  assert.equal(head.status, 200);
  assert.equal(await head.text(), "");
});

test("/ready follows the 'availability' status: 503 with the reason while it is Unavailable", async () => {
  assert.deepEqual(await (await fetch(url("/ready"))).json(), { status: "ok" });
  await setAvailability("Unavailable");
  const down = await fetch(url("/ready"));
  assert.equal(down.status, 503);
  assert.deepEqual(await down.json(), { status: "not ready", reasons: ["status 'availability' is Unavailable"] });
  // Liveness does not follow readiness.
  assert.equal((await fetch(url("/health"))).status, 200);
  await setAvailability("Available");
  assert.equal((await fetch(url("/ready"))).status, 200);
});

test("probes are logged at debug, never as errors", async () => {
  for (let i = 0; i < 3; i++) await fetch(url("/ready"));
  await new Promise((resolve) => setTimeout(resolve, 200));
  const log = readFileSync(join(root, "log", "hdb.log"), "utf8");
  const entries = log
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as { level: string; message: string; path?: string });
  const probes = entries.filter((entry) => entry.message === "probe");
  assert.ok(probes.length >= 3, "probes are in the debug log");
  for (const entry of probes) assert.equal(entry.level, "debug");
  assert.deepEqual(entries.filter((entry) => entry.level === "error" || entry.level === "warn"), []);
});
