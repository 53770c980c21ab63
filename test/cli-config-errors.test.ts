import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The built CLI next to this built test: <outDir>/src/cli.js. */
const cli = fileURLToPath(new URL("../src/cli.js", import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

async function tempRoot(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), "harper-cli-"));
  t.after(() => rm(folder, { recursive: true, force: true }));
  return folder;
}

/**
 * Runs the CLI with only PATH from this environment (so no config variable of the caller leaks in)
 * plus `env`. A start that is not refused would serve forever: the timeout ends it.
 */
function runCli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [cli, ...args],
      { env: { PATH: process.env["PATH"] ?? "", ...env }, timeout: 30_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : null) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Asserts the run failed with exactly one line `harper-ops: <start>...` on stderr and no stack trace. */
function assertOneLine(run: Run, start: string, key: string): void {
  assert.equal(run.code, 1, `exit code ${run.code}; stderr: ${run.stderr}`);
  assert.equal(run.stdout, "");
  const lines = run.stderr.split("\n");
  assert.equal(lines.length, 2, `expected one line, got:\n${run.stderr}`);
  assert.equal(lines[1], "", "the line ends with a newline");
  assert.ok(lines[0]!.startsWith(`harper-ops: ${start}`), lines[0]);
  assert.ok(lines[0]!.includes(key), `the line names ${key}: ${lines[0]}`);
  assert.doesNotMatch(run.stderr, /^\s+at /m, "no stack trace");
}

test("a port that is not a number: one line naming the key, exit 1", async (t) => {
  const root = await tempRoot(t);
  const run = await runCli(["start", "--ROOTPATH", root, "--OPERATIONSAPI_NETWORK_PORT", "abc"]);
  assertOneLine(
    run,
    'Invalid configuration: operationsApi.network.port must be an integer port number (0-65535) or null (got "abc"), set by command-line option --OPERATIONSAPI_NETWORK_PORT',
    "operationsApi.network.port",
  );
});

test("a null port is refused by the configuration: one line naming the key, exit 1", async (t) => {
  const root = await tempRoot(t);
  const run = await runCli(["--ROOTPATH", root, "--OPERATIONSAPI_NETWORK_PORT", "null"]);
  assertOneLine(run, "Invalid configuration: operationsApi.network.port must be set", "operationsApi.network.port");
});

test("a bad authentication.cacheTTL from the environment: one line naming the key and the variable", async (t) => {
  const root = await tempRoot(t);
  const run = await runCli(["start"], { ROOTPATH: root, AUTHENTICATION_CACHETTL: "-5" });
  assertOneLine(
    run,
    "Invalid configuration: authentication.cacheTTL must be a number greater than or equal to 0 (got -5), set by environment variable AUTHENTICATION_CACHETTL",
    "authentication.cacheTTL",
  );
});

test("a bad duration and a config file that is not YAML: one line each", async (t) => {
  const root = await tempRoot(t);
  assertOneLine(
    await runCli(["start", "--ROOTPATH", root, "--AUTHENTICATION_OPERATIONTOKENTIMEOUT", "soon"]),
    "Invalid configuration: authentication.operationTokenTimeout must be a duration",
    "authentication.operationTokenTimeout",
  );
  const file = join(root, "harperdb-config.yaml");
  await writeFile(file, "operationsApi:\n  network: {port: 9925\nlogging: [\n");
  assertOneLine(await runCli(["start", "--ROOTPATH", root]), `Invalid configuration file ${file}: `, file);
});

test("an unknown option: one line naming it", async (t) => {
  const root = await tempRoot(t);
  assertOneLine(
    await runCli(["start", "--ROOTPATH", root, "--NOT_A_KEY", "1"]),
    "Unknown command-line option --NOT_A_KEY",
    "--NOT_A_KEY",
  );
});

test("an error that is no configuration mistake still prints its stack", async (t) => {
  const root = await tempRoot(t);
  await writeFile(join(root, "a-file"), "not a folder");
  // A valid configuration whose storage folder cannot be made: the failure comes from the storage,
  // not from the configuration, so it is reported with its stack.
  const run = await runCli([
    "start", "--ROOTPATH", root,
    "--OPERATIONSAPI_NETWORK_PORT", "0", "--OPERATIONSAPI_NETWORK_HOST", "127.0.0.1",
    "--LOGGING_STDSTREAMS", "false",
    "--STORAGE_PATH", join(root, "a-file", "database"),
  ]);
  assert.equal(run.code, 1, `exit code ${run.code}; stderr: ${run.stderr}`);
  assert.match(run.stderr, /^harper-ops: /);
  assert.match(run.stderr, /^\s+at /m, `a stack trace: ${run.stderr}`);
  assert.doesNotMatch(run.stderr, /Invalid configuration/);
});
