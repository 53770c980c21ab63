import { test } from "node:test";
import assert from "node:assert/strict";
import { isConfigError, isDuration, parseByteSize, parseDuration } from "../src/config/index.js";

test("durations in Harper's notation convert to seconds", () => {
  assert.equal(parseDuration("1d"), 86400);
  assert.equal(parseDuration("30d"), 30 * 86400);
  assert.equal(parseDuration("30m"), 1800);
  assert.equal(parseDuration("2h"), 7200);
  assert.equal(parseDuration("45s"), 45);
  assert.equal(parseDuration("1w"), 604800);
  assert.equal(parseDuration("2 days"), 172800);
  assert.equal(parseDuration("1.5h"), 5400);
  assert.equal(parseDuration("1D"), 86400);
  assert.equal(parseDuration("3600"), 3600);
  assert.equal(parseDuration(900), 900);
});

test("nonsense durations throw a ConfigError", () => {
  for (const value of ["soon", "", "1x", "-1d", "d", "0s", 0, -5, Number.NaN, "1d2h"]) {
    assert.throws(() => parseDuration(value), (error: unknown) => isConfigError(error), `accepted ${String(value)}`);
    assert.equal(isDuration(value), false);
  }
});

test("a duration error names the key it came from", () => {
  assert.throws(
    () => parseDuration("soon", "authentication.operationTokenTimeout"),
    /^ConfigError: Invalid configuration: authentication.operationTokenTimeout must be a positive duration .*\(got "soon"\)$/,
  );
});

test("isConfigError checks the name, so a look-alike counts and a plain error does not", () => {
  const lookAlike = new Error("x");
  lookAlike.name = "ConfigError";
  assert.equal(isConfigError(lookAlike), true);
  assert.equal(isConfigError(new Error("x")), false);
  assert.equal(isConfigError("ConfigError"), false);
});

test("byte sizes accept bytes and K, M, G units", () => {
  assert.equal(parseByteSize(1024, "k"), 1024);
  assert.equal(parseByteSize("64M", "k"), 64 * 1024 * 1024);
  assert.equal(parseByteSize("1G", "k"), 1024 ** 3);
  assert.equal(parseByteSize("512kb", "k"), 512 * 1024);
  assert.throws(() => parseByteSize("lots", "operationsApi.network.maxRequestBodySize"), /operationsApi.network.maxRequestBodySize must be a size/);
});
