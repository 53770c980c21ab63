import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CONFIG_FILE_NAME, isConfigError, loadConfig } from "../src/config/index.js";

async function tempRoot(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), "harper-config-"));
  t.after(() => rm(folder, { recursive: true, force: true }));
  return folder;
}

/** Asserts that loading stops with a ConfigError for `key` whose message starts with `start`. */
async function assertInvalid(load: Promise<unknown>, key: string, start: string): Promise<void> {
  await assert.rejects(load, (error: unknown) => {
    assert.ok(isConfigError(error), `not a ConfigError: ${String(error)}`);
    assert.equal(error.key, key);
    assert.ok(error.message.startsWith(start), error.message);
    return true;
  });
}

test("a port that is not an integer port number stops the start, naming the key and its source", async (t) => {
  const root = await tempRoot(t);
  await assertInvalid(
    loadConfig({ env: { ROOTPATH: root, OPERATIONSAPI_NETWORK_PORT: "abc" } }),
    "operationsApi.network.port",
    'Invalid configuration: operationsApi.network.port must be an integer port number (0-65535) or null (got "abc"), set by environment variable OPERATIONSAPI_NETWORK_PORT',
  );
  await assertInvalid(
    loadConfig({ env: { ROOTPATH: root }, argv: ["--OPERATIONSAPI_NETWORK_SECUREPORT", "70000"] }),
    "operationsApi.network.securePort",
    "Invalid configuration: operationsApi.network.securePort must be an integer port number (0-65535) or null (got 70000), set by command-line option --OPERATIONSAPI_NETWORK_SECUREPORT",
  );
  await assertInvalid(
    loadConfig({ env: { ROOTPATH: root, HTTP_PORT: "1.5" } }),
    "http.port",
    "Invalid configuration: http.port must be an integer port number",
  );
});

test("a log level outside Harper's levels stops the start", async (t) => {
  const root = await tempRoot(t);
  await assertInvalid(
    loadConfig({ env: { ROOTPATH: root, LOGGING_LEVEL: "verbose" } }),
    "logging.level",
    'Invalid configuration: logging.level must be one of notify, fatal, error, warn, info, debug, trace (got "verbose")',
  );
});

test("a boolean key given something else stops the start", async (t) => {
  const root = await tempRoot(t);
  await assertInvalid(
    loadConfig({ env: { ROOTPATH: root, AUTHENTICATION_AUTHORIZELOCAL: "yes" } }),
    "authentication.authorizeLocal",
    'Invalid configuration: authentication.authorizeLocal must be true or false (got "yes")',
  );
});

test("a token lifetime that is no duration stops the start", async (t) => {
  const root = await tempRoot(t);
  await assertInvalid(
    loadConfig({ env: { ROOTPATH: root, AUTHENTICATION_OPERATIONTOKENTIMEOUT: "soon" } }),
    "authentication.operationTokenTimeout",
    'Invalid configuration: authentication.operationTokenTimeout must be a duration like "1d"',
  );
  const ok = await loadConfig({ env: { ROOTPATH: root, AUTHENTICATION_REFRESHTOKENTIMEOUT: "3600" } });
  assert.equal(ok.settings.refreshTokenTimeout, "3600");
});

test("an invalid value in the file is reported with the file's name", async (t) => {
  const root = await tempRoot(t);
  const file = join(root, CONFIG_FILE_NAME);
  await writeFile(file, "logging:\n  stdStreams: maybe\n");
  await assertInvalid(
    loadConfig({ env: { ROOTPATH: root } }),
    "logging.stdStreams",
    `Invalid configuration: logging.stdStreams must be true or false (got "maybe"), set by the file ${file}`,
  );
});

test("the plain and secure ports cannot be the same, nor both null", async (t) => {
  const root = await tempRoot(t);
  await assertInvalid(
    loadConfig({ env: { ROOTPATH: root }, argv: ["--OPERATIONSAPI_NETWORK_SECUREPORT", "9925"] }),
    "operationsApi.network.securePort",
    "Invalid configuration: operationsApi.network.port and operationsApi.network.securePort cannot be the same value",
  );
  await assertInvalid(
    loadConfig({ env: { ROOTPATH: root }, argv: ["--OPERATIONSAPI_NETWORK_PORT", "null"] }),
    "operationsApi.network.port",
    "Invalid configuration: operationsApi.network.port and operationsApi.network.securePort cannot both be null",
  );
  const secureOnly = await loadConfig({ env: { ROOTPATH: root }, argv: ["--OPERATIONSAPI_NETWORK_PORT=null", "--OPERATIONSAPI_NETWORK_SECUREPORT=9925"] });
  assert.equal(secureOnly.settings.port, null);
  assert.equal(secureOnly.settings.securePort, 9925);
});

test("other checked keys: threads, timeouts, body size, hash function, rotation size", async (t) => {
  const root = await tempRoot(t);
  const cases: Array<[Record<string, string>, string]> = [
    [{ THREADS_COUNT: "0" }, "threads.count"],
    [{ OPERATIONSAPI_NETWORK_TIMEOUT: "-5" }, "operationsApi.network.timeout"],
    [{ OPERATIONSAPI_NETWORK_MAXREQUESTBODYSIZE: "huge" }, "operationsApi.network.maxRequestBodySize"],
    [{ AUTHENTICATION_HASHFUNCTION: "crc32" }, "authentication.hashFunction"],
    [{ LOGGING_ROTATION_MAXSIZE: "64X" }, "logging.rotation.maxSize"],
    [{ OPERATIONSAPI_NETWORK_CORSACCESSLIST: "[1,2]" }, "operationsApi.network.corsAccessList"],
  ];
  for (const [env, key] of cases) {
    await assertInvalid(loadConfig({ env: { ROOTPATH: root, ...env } }), key, `Invalid configuration: ${key} must be`);
  }
});
