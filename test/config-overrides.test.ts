import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { coerceValue, isConfigError, loadConfig, resolveConfigKey } from "../src/config/index.js";

async function tempRoot(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), "harper-config-"));
  t.after(() => rm(folder, { recursive: true, force: true }));
  return folder;
}

test("flattened names resolve case-insensitively, camelCase keys without separators", () => {
  for (const name of ["OPERATIONSAPI_NETWORK_PORT", "operationsApi_network_port", "operationsapi_network_port"]) {
    assert.deepEqual(resolveConfigKey(name), { path: "operationsApi.network.port", invert: false, alias: false });
  }
  assert.equal(resolveConfigKey("AUTHENTICATION_AUTHORIZELOCAL")?.path, "authentication.authorizeLocal");
  assert.equal(resolveConfigKey("LOGGING_AUDITLOG")?.path, "logging.auditLog");
  assert.equal(resolveConfigKey("HTTP_MAXHEADERSIZE")?.path, "http.maxHeaderSize", "recognised although not in the defaults");
  assert.equal(resolveConfigKey("PATH"), undefined);
  assert.equal(resolveConfigKey("constructor"), undefined);
});

test("legacy aliases resolve, with or without a _KEY suffix", () => {
  assert.equal(resolveConfigKey("HDB_ROOT")?.path, "rootPath");
  assert.equal(resolveConfigKey("SERVER_PORT")?.path, "operationsApi.network.port");
  assert.equal(resolveConfigKey("LOG_LEVEL")?.path, "logging.level");
  assert.equal(resolveConfigKey("server_port_key")?.path, "operationsApi.network.port");
  assert.deepEqual(resolveConfigKey("DISABLE_TRANSACTION_LOG"), { path: "logging.auditLog", invert: true, alias: true });
});

test("string values are cast to the type of the key's default", () => {
  assert.equal(coerceValue("9930", 9925), 9930);
  assert.equal(coerceValue("abc", 9925), "abc", "left for validation to name");
  assert.equal(coerceValue("TRUE", false), true);
  assert.equal(coerceValue("false", true), false);
  assert.equal(coerceValue("null", 9925), null);
  assert.equal(coerceValue("3600", "1d"), "3600", "a string key stays a string");
  assert.deepEqual(coerceValue('["https://a.example","https://b.example"]', ["*"]), ["https://a.example", "https://b.example"]);
  assert.deepEqual(coerceValue("https://a.example, https://b.example", ["*"]), ["https://a.example", "https://b.example"]);
  assert.equal(coerceValue("9943", null), 9943, "a null default gets Harper's casting");
  assert.deepEqual(coerceValue('{"a":1}', undefined), { a: 1 });
});

test("environment variables override the file, and are not written to it", async (t) => {
  const root = await tempRoot(t);
  const first = await loadConfig({ env: { ROOTPATH: root } });
  const before = await readFile(first.file, "utf8");

  const config = await loadConfig({
    env: {
      ROOTPATH: root,
      OPERATIONSAPI_NETWORK_PORT: "9930",
      logging_level: "debug",
      AUTHENTICATION_AUTHORIZELOCAL: "true",
      LOGGING_AUDITLOG: "false",
      HOME: "/root",
      PATH: "/usr/bin",
    },
  });
  assert.equal(config.settings.port, 9930);
  assert.equal(config.settings.logLevel, "debug");
  assert.equal(config.settings.authorizeLocal, true);
  assert.equal(config.settings.auditLog, false);
  assert.equal(config.raw.rootPath, root);
  assert.deepEqual(
    config.overrides.map((o) => [o.source, o.path, o.value]).filter(([, path]) => path !== "rootPath"),
    [
      ["env", "operationsApi.network.port", 9930],
      ["env", "logging.level", "debug"],
      ["env", "authentication.authorizeLocal", true],
      ["env", "logging.auditLog", false],
    ],
  );
  assert.equal(await readFile(config.file, "utf8"), before, "the file is untouched");
});

test("command-line arguments override environment variables", async (t) => {
  const root = await tempRoot(t);
  const before = await readFile((await loadConfig({ env: { ROOTPATH: root } })).file, "utf8");
  const config = await loadConfig({
    env: { ROOTPATH: root, OPERATIONSAPI_NETWORK_PORT: "9930", LOGGING_LEVEL: "debug" },
    argv: ["--OPERATIONSAPI_NETWORK_PORT", "9931", "--LOGGING_LEVEL=warn", "--operationsApi_network_securePort", "9943"],
  });
  assert.equal(config.settings.port, 9931);
  assert.equal(config.settings.securePort, 9943);
  assert.equal(config.settings.logLevel, "warn");
  assert.equal(await readFile(config.file, "utf8"), before, "the file is untouched");
});

test("a canonical name beats its legacy alias from the same source", async (t) => {
  const root = await tempRoot(t);
  const config = await loadConfig({ env: { ROOTPATH: root, LOGGING_LEVEL: "error", LOG_LEVEL: "trace", SERVER_PORT: "9940" } });
  assert.equal(config.settings.logLevel, "error");
  assert.equal(config.settings.port, 9940);
  const inverted = await loadConfig({ env: { ROOTPATH: root, DISABLE_TRANSACTION_LOG: "true" } });
  assert.equal(inverted.settings.auditLog, false);
});

test("the harper-ops host key, corsAccessList and maxRequestBodySize come through overrides", async (t) => {
  const root = await tempRoot(t);
  const { settings } = await loadConfig({
    env: { ROOTPATH: root },
    argv: [
      "--OPERATIONSAPI_NETWORK_HOST", "127.0.0.1",
      "--OPERATIONSAPI_NETWORK_PORT", "0",
      "--OPERATIONSAPI_NETWORK_CORSACCESSLIST", '["https://app.example"]',
      "--OPERATIONSAPI_NETWORK_MAXREQUESTBODYSIZE", "10M",
    ],
  });
  assert.equal(settings.host, "127.0.0.1");
  assert.equal(settings.port, 0, "0 asks for any free port");
  assert.deepEqual(settings.corsAccessList, ["https://app.example"]);
  assert.equal(settings.maxRequestBodySize, 10 * 1024 * 1024);
});

test("an unknown command-line option is an error, an unknown environment variable is not", async (t) => {
  const root = await tempRoot(t);
  await loadConfig({ env: { ROOTPATH: root, NOT_A_CONFIG_KEY: "1" } });
  await assert.rejects(loadConfig({ env: { ROOTPATH: root }, argv: ["--NOT_A_CONFIG_KEY", "1"] }), (error: unknown) => {
    assert.ok(isConfigError(error));
    assert.match(error.message, /^Unknown command-line option --NOT_A_CONFIG_KEY/);
    return true;
  });
  await assert.rejects(loadConfig({ env: { ROOTPATH: root }, argv: ["--LOGGING_LEVEL"] }), /--LOGGING_LEVEL needs a value/);
  await assert.rejects(loadConfig({ env: { ROOTPATH: root }, argv: ["start"] }), /Unexpected command-line argument "start"/);
});
