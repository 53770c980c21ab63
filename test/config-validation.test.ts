import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CONFIG_FILE_NAME, DEFAULT_AUTH_CACHE_TTL_MS, getPath, isConfigError, loadConfig } from "../src/config/index.js";

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
  assert.equal(ok.settings.refreshTokenSeconds, 3600);
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

test("the plain and secure ports cannot be the same", async (t) => {
  const root = await tempRoot(t);
  await assertInvalid(
    loadConfig({ env: { ROOTPATH: root }, argv: ["--OPERATIONSAPI_NETWORK_SECUREPORT", "9925"] }),
    "operationsApi.network.securePort",
    "Invalid configuration: operationsApi.network.port and operationsApi.network.securePort cannot be the same value",
  );
  const both = await loadConfig({ env: { ROOTPATH: root }, argv: ["--OPERATIONSAPI_NETWORK_PORT=0", "--OPERATIONSAPI_NETWORK_SECUREPORT=0"] });
  assert.equal(both.settings.port, 0, "two free ports are not the same port");
  assert.equal(both.settings.securePort, 0);
});

test("a null plain port is refused at load, naming the key, even with a TLS port (harper-ops always serves the plain port)", async (t) => {
  const root = await tempRoot(t);
  const mustBeSet = "Invalid configuration: operationsApi.network.port must be set to a port number from 0 to 65535: harper-ops always serves the plain port (got null)";
  await assertInvalid(
    loadConfig({ env: { ROOTPATH: root }, argv: ["--OPERATIONSAPI_NETWORK_PORT", "null"] }),
    "operationsApi.network.port",
    `${mustBeSet}, set by command-line option --OPERATIONSAPI_NETWORK_PORT`,
  );
  await assertInvalid(
    loadConfig({ env: { ROOTPATH: root, OPERATIONSAPI_NETWORK_PORT: "null", OPERATIONSAPI_NETWORK_SECUREPORT: "9943" } }),
    "operationsApi.network.port",
    `${mustBeSet}, set by environment variable OPERATIONSAPI_NETWORK_PORT`,
  );
  const file = join(root, CONFIG_FILE_NAME);
  await writeFile(file, "operationsApi:\n  network:\n    port: null\n    securePort: 9943\n");
  await assertInvalid(loadConfig({ env: { ROOTPATH: root } }), "operationsApi.network.port", `${mustBeSet}, set by the file ${file}`);
  await writeFile(file, "operationsApi:\n  network:\n    port:\n");
  await assertInvalid(loadConfig({ env: { ROOTPATH: root } }), "operationsApi.network.port", mustBeSet);
  // An override that sets the port fixes the file for this run.
  const fixed = await loadConfig({ env: { ROOTPATH: root }, argv: ["--OPERATIONSAPI_NETWORK_PORT", "9930"] });
  assert.equal(fixed.settings.port, 9930);
});

test("a section of the defaults replaced by a scalar, a list or nothing is refused, naming the section", async (t) => {
  const root = await tempRoot(t);
  const file = join(root, CONFIG_FILE_NAME);
  const cases: Array<[string, string, string]> = [
    ["operationsApi: 5\n", "operationsApi", "Invalid configuration: operationsApi must be a mapping of keys (got 5)"],
    ["operationsApi:\n  network: [9925]\n", "operationsApi.network", "Invalid configuration: operationsApi.network must be a mapping of keys (got [9925])"],
    ["authentication:\n", "authentication", "Invalid configuration: authentication must be a mapping of keys (got null)"],
    ["logging:\n  rotation: yes\n", "logging.rotation", 'Invalid configuration: logging.rotation must be a mapping of keys (got "yes")'],
    ["tls: /keys/cert.pem\n", "tls", 'Invalid configuration: tls must be a mapping of keys or a list of them (got "/keys/cert.pem")'],
  ];
  for (const [text, key, start] of cases) {
    await writeFile(file, text);
    await assertInvalid(loadConfig({ env: { ROOTPATH: root } }), key, `${start}, set by the file ${file}`);
  }
  // A replaced section rebuilt by one override lacks the other keys: the first missing one is named.
  await writeFile(file, "operationsApi: 5\n");
  await assertInvalid(
    loadConfig({ env: { ROOTPATH: root }, argv: ["--OPERATIONSAPI_NETWORK_PORT", "9930"] }),
    "operationsApi.network.cors",
    `Invalid configuration: operationsApi.network.cors must be true or false (got nothing), set by the file ${file}`,
  );
  // Harper's list of certificates stays allowed.
  await writeFile(file, "tls:\n  - certificate: /k/cert.pem\n    privateKey: /k/key.pem\n");
  const listed = await loadConfig({ env: { ROOTPATH: root } });
  assert.equal(listed.settings.tls.certificate, "/k/cert.pem");
});

test("keys that are booleans by default but have Harper sub-keys accept a mapping", async (t) => {
  const root = await tempRoot(t);
  const config = await loadConfig({
    env: { ROOTPATH: root, HTTP_MTLS_REQUIRED: "true", STORAGE_COMPRESSION_THRESHOLD: "1000", THREADS_DEBUG_PORT: "9229" },
  });
  assert.deepEqual(getPath(config.raw, "http.mtls"), { required: true });
  assert.deepEqual(getPath(config.raw, "storage.compression"), { threshold: 1000 });
  assert.deepEqual(getPath(config.raw, "threads.debug"), { port: 9229 });
  await assertInvalid(
    loadConfig({ env: { ROOTPATH: root, HTTP_MTLS: "sometimes" } }),
    "http.mtls",
    'Invalid configuration: http.mtls must be true, false or a mapping of keys (got "sometimes"), set by environment variable HTTP_MTLS',
  );
});

test("an error names the override that set the key, or the section holding it", async (t) => {
  const root = await tempRoot(t);
  await assertInvalid(
    loadConfig({ env: { ROOTPATH: root }, argv: ["--TLS", "cert.pem"] }),
    "tls",
    'Invalid configuration: tls must be a mapping of keys or a list of them (got "cert.pem"), set by command-line option --TLS',
  );
  await assertInvalid(
    loadConfig({ env: { ROOTPATH: root, TLS: '{"certificate": ""}' } }),
    "tls.certificate",
    'Invalid configuration: tls.certificate must be a path (got ""), set by environment variable TLS',
  );
});

test("durations are parsed once at load into numbers with their unit", async (t) => {
  const root = await tempRoot(t);
  const defaults = (await loadConfig({ env: { ROOTPATH: root } })).settings;
  assert.equal(defaults.operationTokenSeconds, 86400, "1d");
  assert.equal(defaults.refreshTokenSeconds, 30 * 86400, "30d");
  assert.equal(defaults.auditRetentionMs, 3 * 86400 * 1000, "3d");

  const { settings } = await loadConfig({
    env: { ROOTPATH: root, AUTHENTICATION_OPERATIONTOKENTIMEOUT: "2h", LOGGING_AUDITRETENTION: "1w" },
    argv: ["--AUTHENTICATION_REFRESHTOKENTIMEOUT", "3600"],
  });
  assert.equal(settings.operationTokenSeconds, 7200);
  assert.equal(settings.refreshTokenSeconds, 3600, "digits alone are seconds");
  assert.equal(settings.auditRetentionMs, 604800 * 1000);

  const file = join(root, CONFIG_FILE_NAME);
  await writeFile(file, "authentication:\n  operationTokenTimeout: 90\n  refreshTokenTimeout: 2 days\nlogging:\n  auditRetention: 45m\n");
  const fromFile = (await loadConfig({ env: { ROOTPATH: root } })).settings;
  assert.equal(fromFile.operationTokenSeconds, 90);
  assert.equal(fromFile.refreshTokenSeconds, 172800);
  assert.equal(fromFile.auditRetentionMs, 45 * 60 * 1000);

  await assertInvalid(
    loadConfig({ env: { ROOTPATH: root, LOGGING_AUDITRETENTION: "0s" } }),
    "logging.auditRetention",
    'Invalid configuration: logging.auditRetention must be a duration like "1d"',
  );
});

test("authentication.cacheTTL is a validated setting in milliseconds, Harper's 30000 by default", async (t) => {
  const root = await tempRoot(t);
  assert.equal(DEFAULT_AUTH_CACHE_TTL_MS, 30000);
  assert.equal((await loadConfig({ env: { ROOTPATH: root } })).settings.authCacheTtlMs, 30000);
  assert.equal((await loadConfig({ env: { ROOTPATH: root, AUTHENTICATION_CACHETTL: "5000" } })).settings.authCacheTtlMs, 5000);
  assert.equal((await loadConfig({ env: { ROOTPATH: root }, argv: ["--AUTHENTICATION_CACHETTL=0"] })).settings.authCacheTtlMs, 0, "0 caches nothing");
  await writeFile(join(root, CONFIG_FILE_NAME), "authentication:\n  cacheTTL: 1500\n");
  assert.equal((await loadConfig({ env: { ROOTPATH: root } })).settings.authCacheTtlMs, 1500);

  for (const bad of ["-1", "soon", "null", "[1]"]) {
    await assertInvalid(
      loadConfig({ env: { ROOTPATH: root, AUTHENTICATION_CACHETTL: bad } }),
      "authentication.cacheTTL",
      "Invalid configuration: authentication.cacheTTL must be a number greater than or equal to 0",
    );
  }
  await writeFile(join(root, CONFIG_FILE_NAME), "authentication:\n  cacheTTL: 30s\n");
  await assertInvalid(
    loadConfig({ env: { ROOTPATH: root } }),
    "authentication.cacheTTL",
    'Invalid configuration: authentication.cacheTTL must be a number greater than or equal to 0 (got "30s"), set by the file',
  );
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

test("operationsApi.limits holds positive integers, defaults filled in, a bad one refused naming its key", async (t) => {
  const root = await tempRoot(t);
  const { settings } = await loadConfig({ env: { ROOTPATH: root, OPERATIONSAPI_LIMITS_SQLLENGTH: "1000" } });
  assert.equal(settings.limits.sqlLength, 1000);
  assert.equal(settings.limits.jsonDepth, 100);
  assert.equal(settings.limits.http2MaxStreams, 100);
  await assertInvalid(
    loadConfig({ env: { ROOTPATH: root, OPERATIONSAPI_LIMITS_JSONDEPTH: "0" } }),
    "operationsApi.limits.jsonDepth",
    "Invalid configuration: operationsApi.limits.jsonDepth must be a positive integer",
  );
});
