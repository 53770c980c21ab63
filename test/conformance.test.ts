import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { JsonValue } from "@bufbuild/protobuf";
import { startServer } from "../src/main.js";
import type { RunningServer } from "../src/main.js";
import {
  checkExpectations,
  judge,
  loadExpectations,
  planFor,
  prunedFailures,
  undocumentedDifferences,
} from "./conformance/expectations.js";
import type { JudgedStep } from "./conformance/expectations.js";
import { createReplayer } from "./conformance/replayer.js";
import type { Replayer } from "./conformance/replayer.js";
import { loadScenarios } from "./conformance/transcript.js";

// The conformance harness: every golden transcript recorded from HarperDB 4.7.29
// (test/fixtures/conformance/transcripts, README.md of ../shared/conformance) is replayed against a
// fresh harper-ops. A scenario fails when a step that is not listed in
// test/conformance/expected-failures.json answers differently from Harper, or when a listed step
// now passes (remove it: the list only shrinks). Steps listed in expected-differences.json are
// where harper-ops is right and Harper is not; they are judged against the status the list names.
// CONFORMANCE_PRUNE=1 rewrites expected-failures.json without the steps that now pass.

const root = new URL("../../", import.meta.url);
const listFolder = new URL("test/conformance/", root);
const scenarios = loadScenarios(new URL("test/fixtures/conformance/transcripts/", root));
const expectations = loadExpectations(listFolder);
const judged = new Map<string, JudgedStep[]>();

let temp: string;
let server: RunningServer | undefined;
let replayer: Replayer;

before(async () => {
  temp = await mkdtemp(join(tmpdir(), "harper-ops-conformance-"));
  const dir = join(temp, "files");
  for (const sub of ["fixtures", "exports"]) await mkdir(join(dir, sub), { recursive: true });
  server = await startServer({
    env: {
      ROOTPATH: join(temp, "root"),
      HDB_ADMIN_USERNAME: "admin",
      HDB_ADMIN_PASSWORD: "password",
      OPERATIONSAPI_NETWORK_PORT: "0",
      OPERATIONSAPI_NETWORK_HOST: "127.0.0.1",
      AUTHENTICATION_AUTHORIZELOCAL: "true",
      LOGGING_AUDITLOG: "true",
      LOGGING_STDSTREAMS: "false",
    },
    print: () => {},
  });
  replayer = createReplayer({ baseUrl: `http://127.0.0.1:${server.port}/`, user: "admin", password: "password", dir });
});

after(async () => {
  const all = [...judged.values()].flat();
  const count = (verdict: JudgedStep["verdict"]) => all.filter((step) => step.verdict === verdict).length;
  const differences = all.filter((step) => step.verdict === "passed" || step.verdict === "failed");
  const listedDifferences = differences.filter((step) => step.reason !== undefined).length;
  console.log(`conformance: ${count("passed")} passed, ${count("failed") + count("unexpected-pass")} failed`);
  console.log(`conformance: ${count("expected-failure")} expected failures, ${listedDifferences} expected differences`);
  if (process.env["CONFORMANCE_PRUNE"] === "1" && count("unexpected-pass") > 0) {
    const pruned = prunedFailures(expectations.failures, judged);
    await writeFile(new URL("expected-failures.json", listFolder), JSON.stringify(pruned, null, 2) + "\n");
    console.log(`conformance: removed ${count("unexpected-pass")} steps that now pass from expected-failures.json`);
  }
  await server?.close();
  if (temp) await rm(temp, { recursive: true, force: true });
});

function short(value: JsonValue | undefined): string {
  const text = value === undefined ? "undefined" : JSON.stringify(value);
  return text.length > 160 ? text.slice(0, 157) + "..." : text;
}

/** What a failing scenario prints: each unexpected step with its first differences. */
function explain(steps: readonly JudgedStep[]): string {
  const lines: string[] = [];
  for (const step of steps) {
    if (step.verdict === "unexpected-pass") {
      lines.push(`step '${step.step.name}': expected failure now passes: remove it from the list (listed as: ${step.reason})`);
      continue;
    }
    lines.push(`step '${step.step.name}' (${step.differences.length} differences):`);
    for (const d of step.differences.slice(0, 5)) {
      lines.push(`    at ${d.pointer || "(root)"}: expected ${short(d.expected)}, actual ${short(d.actual)}`);
    }
  }
  return lines.join("\n");
}

test("the expectation lists name only recorded steps, each with a reason", () => {
  assert.deepEqual(checkExpectations(expectations, scenarios), []);
});

test("docs/compatibility.md mirrors every expected difference", () => {
  const markdown = readFileSync(new URL("docs/compatibility.md", root), "utf8");
  assert.deepEqual(undocumentedDifferences(expectations, markdown), []);
});

for (const scenario of scenarios) {
  test(`${scenario.scenario} answers as HarperDB 4.7.29 does`, async () => {
    const outcomes = await replayer.runScenario(scenario, planFor(expectations, scenario.scenario));
    const steps = judge(expectations, scenario.scenario, outcomes);
    judged.set(scenario.scenario, steps);
    const unexpected = steps.filter((step) => step.verdict === "failed" || step.verdict === "unexpected-pass");
    assert.ok(unexpected.length === 0, `${scenario.scenario}: ${unexpected.length} unexpected results\n${explain(unexpected)}`);
  });
}
