import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { CONFIG_FILE_NAME, isConfigError, loadConfig } from "../src/config/index.js";

async function tempFolder(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), "harper-config-"));
  t.after(() => rm(folder, { recursive: true, force: true }));
  return folder;
}

test("first start creates the root folder and writes the config file with Harper's default layout", async (t) => {
  const cwd = await tempFolder(t);
  const config = await loadConfig({ env: {}, argv: [], cwd });
  const root = join(cwd, "harper-data");
  assert.equal(config.rootPath, root);
  assert.equal(config.file, join(root, CONFIG_FILE_NAME));
  assert.equal(config.created, true);
  assert.ok((await stat(root)).isDirectory());

  const text = await readFile(config.file, "utf8");
  assert.match(text, /^# harper-ops configuration file/);
  const written = parse(text);
  assert.equal(written.rootPath, root);
  assert.deepEqual(written.operationsApi.network.port, 9925);
  assert.equal(written.operationsApi.network.securePort, null);
  assert.deepEqual(written.operationsApi.network.corsAccessList, ["*"]);
  assert.deepEqual(written.authentication, {
    authorizeLocal: false,
    cacheTTL: 30000,
    enableSessions: true,
    operationTokenTimeout: "1d",
    refreshTokenTimeout: "30d",
  });
  assert.equal(written.logging.level, "info");
  assert.equal(written.logging.auditLog, true);
  assert.equal(written.logging.file, true);
  assert.equal(written.logging.root, join(root, "log"));
  assert.equal(written.storage.path, join(root, "database"));
  assert.equal(written.componentsRoot, join(root, "components"));
  assert.equal(written.tls.privateKey, join(root, "keys", "privateKey.pem"));
  assert.deepEqual(config.raw, written, "raw equals the file when nothing overrides it");
});

test("the typed settings carry the values the server uses", async (t) => {
  const cwd = await tempFolder(t);
  const { settings, rootPath } = await loadConfig({ env: {}, cwd });
  assert.equal(settings.port, 9925);
  assert.equal(settings.securePort, null);
  assert.equal(settings.host, undefined);
  assert.equal(settings.maxRequestBodySize, 1024 * 1024 * 1024);
  assert.equal(settings.authorizeLocal, false);
  assert.equal(settings.operationTokenSeconds, 86400);
  assert.equal(settings.refreshTokenSeconds, 30 * 86400);
  assert.equal(settings.logLevel, "info");
  assert.equal(settings.auditLog, true);
  assert.equal(settings.logRoot, join(rootPath, "log"));
  assert.equal(settings.logFile, join(rootPath, "log", "hdb.log"));
  assert.equal(settings.logToFile, true);
  assert.equal(settings.logToStdStreams, true);
  assert.equal(settings.storagePath, join(rootPath, "database"));
  assert.equal(settings.keysDir, join(rootPath, "keys"));
  assert.deepEqual(settings.tls, {
    certificate: join(rootPath, "keys", "certificate.pem"),
    privateKey: join(rootPath, "keys", "privateKey.pem"),
    certificateAuthority: join(rootPath, "keys", "ca.pem"),
  });
});

test("a second start reads the file back, edits included, and does not rewrite it", async (t) => {
  const cwd = await tempFolder(t);
  const first = await loadConfig({ env: {}, cwd });
  const edited = (await readFile(first.file, "utf8")).replace("level: info", "level: debug");
  await writeFile(first.file, edited);

  const second = await loadConfig({ env: {}, cwd });
  assert.equal(second.created, false);
  assert.equal(second.settings.logLevel, "debug");
  assert.equal(await readFile(second.file, "utf8"), edited);
});

test("a file holding only some keys gets the defaults for the rest", async (t) => {
  const root = await tempFolder(t);
  await writeFile(join(root, CONFIG_FILE_NAME), "operationsApi:\n  network:\n    port: 9930\n");
  const { settings, created } = await loadConfig({ env: { ROOTPATH: root }, cwd: "/" });
  assert.equal(created, false);
  assert.equal(settings.port, 9930);
  assert.equal(settings.logLevel, "info");
  assert.equal(settings.storagePath, join(root, "database"));
});

test("ROOTPATH is resolved against the working directory and created with its parents", async (t) => {
  const cwd = await tempFolder(t);
  const fromEnv = await loadConfig({ env: { ROOTPATH: "data/one" }, cwd });
  assert.equal(fromEnv.rootPath, join(cwd, "data", "one"));
  assert.ok((await stat(join(cwd, "data", "one", CONFIG_FILE_NAME))).isFile());

  const fromArgv = await loadConfig({ env: { ROOTPATH: "data/one" }, argv: ["--ROOTPATH", "./two"], cwd });
  assert.equal(fromArgv.rootPath, join(cwd, "two"));
  const fromEquals = await loadConfig({ env: {}, argv: ["--rootpath=three"], cwd });
  assert.equal(fromEquals.rootPath, join(cwd, "three"));
  const legacy = await loadConfig({ env: { HDB_ROOT: "legacy" }, cwd });
  assert.equal(legacy.rootPath, join(cwd, "legacy"));
});

test("a config file that is not valid YAML stops the start with a message naming the file", async (t) => {
  const root = await tempFolder(t);
  const file = join(root, CONFIG_FILE_NAME);
  await writeFile(file, "operationsApi:\n  network: {port: 9925\nlogging: [\n");
  await assert.rejects(loadConfig({ env: { ROOTPATH: root } }), (error: unknown) => {
    assert.ok(isConfigError(error));
    assert.ok(error.message.startsWith(`Invalid configuration file ${file}: `), error.message);
    assert.equal(error.file, file);
    return true;
  });
});

test("a config file that is a list instead of a mapping is refused", async (t) => {
  const root = await tempFolder(t);
  await writeFile(join(root, CONFIG_FILE_NAME), "- a\n- b\n");
  await assert.rejects(loadConfig({ env: { ROOTPATH: root } }), /expected a mapping of keys, found a list/);
});

test("an empty config file means all defaults", async (t) => {
  const root = await tempFolder(t);
  await writeFile(join(root, CONFIG_FILE_NAME), "# nothing here\n");
  const { settings } = await loadConfig({ env: { ROOTPATH: root } });
  assert.equal(settings.port, 9925);
});

test("a root path that cannot be a folder stops the start", async (t) => {
  const cwd = await tempFolder(t);
  await writeFile(join(cwd, "plain-file"), "x");
  await assert.rejects(loadConfig({ env: { ROOTPATH: "plain-file/root" }, cwd }), (error: unknown) => {
    assert.ok(isConfigError(error));
    assert.match(error.message, /^Cannot create the root folder .*plain-file/);
    return true;
  });
});

test("a config file whose aliases expand too far is refused with a ConfigError naming the file", async (t) => {
  const root = await tempFolder(t);
  const file = join(root, CONFIG_FILE_NAME);
  const lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
  for (let i = 0, previous = "a"; i < 8; previous = `l${i}`, i++) {
    lines.push(`l${i}: &l${i} [${Array(10).fill(`*${previous}`).join(", ")}]`);
  }
  await writeFile(file, lines.join("\n") + "\n");
  await assert.rejects(loadConfig({ env: { ROOTPATH: root } }), (error: unknown) => {
    assert.ok(isConfigError(error), String(error));
    assert.ok(error.message.startsWith(`Invalid configuration file ${file}: `), error.message);
    assert.equal(error.file, file);
    return true;
  });
});
