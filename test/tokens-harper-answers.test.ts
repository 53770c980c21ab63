import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type { RunningServer } from "../src/main.js";
import { poster, startTestServer, stopTestServer } from "./server-fixture.js";

// create_authentication_tokens' `expires_in`, as HarperDB 4.7.29 answers it (recorded from the
// peer on 2026-12-07; its 500s are answered 400 here, docs/compatibility.md).

let root: string;
let server: RunningServer;

const post = poster(() => server);

before(async () => {
  ({ server, root } = await startTestServer());
});

after(async () => {
  await stopTestServer(server, root);
});

const tokens = (expires_in: unknown) => post({ operation: "create_authentication_tokens", username: "admin", password: "password", expires_in });

test("expires_in refuses what jsonwebtoken refuses, with its texts", async () => {
  const timespan = '"expiresIn" should be a number of seconds or string representing a timespan';
  assert.deepEqual(await tokens("zz"), { status: 400, body: { error: `${timespan} eg: "1d", "20h", 60` } });
  assert.deepEqual(await tokens("1x"), { status: 400, body: { error: `${timespan} eg: "1d", "20h", 60` } });
  assert.deepEqual(await tokens(1.5), { status: 400, body: { error: timespan } });
  assert.deepEqual(await tokens(""), { status: 400, body: { error: "'expires_in' is not allowed to be empty" } });
  assert.deepEqual(await tokens(1e20), { status: 400, body: { error: "'expires_in' must be a safe number" } });
  assert.deepEqual(await tokens(true), { status: 400, body: { error: "'expires_in' must be one of [string, number]" } });
});

test("expires_in of zero or a negative number makes a token that is already expired, as Harper's", async () => {
  for (const value of [0, -5]) {
    const answer = await tokens(value);
    assert.equal(answer.status, 200);
    const token = answer.body["operation_token"] as string;
    const claims = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()) as { iat: number; exp: number };
    assert.equal(claims.exp - claims.iat, value);
    const use = await post({ operation: "user_info" }, `Bearer ${token}`);
    assert.equal(use.status, 401);
  }
  const hours = await tokens("2h");
  const claims = JSON.parse(Buffer.from((hours.body["operation_token"] as string).split(".")[1]!, "base64url").toString()) as { iat: number; exp: number };
  assert.equal(claims.exp - claims.iat, 7200);
});
