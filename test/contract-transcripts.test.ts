import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import type { JsonObject, JsonValue } from "@bufbuild/protobuf";
import {
  buildOperationTable,
  messageFromHarperJson,
  requestFromHarperJson,
  responseToHarperJson,
  services,
} from "../src/contract/index.js";
import { fixtureText } from "./fixtures.js";

// The golden transcripts recorded from HarperDB 4.7 (test/fixtures/conformance, copied from
// ../shared/conformance) hold real requests and answers for every category. Every request of a
// successful step must parse into its request message, and every answer must read into the
// response message and render back as the very same JSON: the messages model what Harper answers.

interface Step {
  name: string;
  bind?: Record<string, string>;
  request: JsonValue;
  status: number;
  response: JsonValue;
}

const table = buildOperationTable(services);
const dir = "conformance/transcripts";
const files = readdirSync(new URL(`../../test/fixtures/${dir}/`, import.meta.url)).filter((f) => f.endsWith(".json"));

/** Replaces the replayer's placeholders with values of the type they stand for. */
function fillPlaceholders(value: JsonValue, clocks: ReadonlySet<string>): JsonValue {
  if (typeof value === "string") {
    const only = /^\{\{([^}]+)\}\}$/.exec(value);
    if (only) {
      const name = only[1]!;
      if (name.startsWith("iso:")) return new Date().toISOString();
      if (name.startsWith("date:")) return new Date().toISOString().slice(0, 10);
      if (name.startsWith("$now") || clocks.has(name.replace(/[+-]\d+$/, ""))) return Date.now();
    }
    return value;
  }
  if (Array.isArray(value)) return value.map((item) => fillPlaceholders(item, clocks));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fillPlaceholders(v, clocks)]));
  }
  return value;
}

for (const file of files) {
  const scenario = JSON.parse(fixtureText(`${dir}/${file}`)) as { scenario: string; steps: Step[] };
  test(`the messages carry every successful request and answer of ${scenario.scenario}`, () => {
    let checked = 0;
    const clocks = new Set<string>(); // variables bound to the client's clock: numbers
    for (const step of scenario.steps) {
      for (const [name, source] of Object.entries(step.bind ?? {})) if (source === "$now") clocks.add(name);
      const request = step.request as JsonObject;
      if (step.status !== 200 || typeof request?.["operation"] !== "string") continue;
      const entry = table.lookup(request["operation"] as string);
      if (!entry) continue;
      const where = `${file} step '${step.name}' (${entry.name})`;
      assert.doesNotThrow(() => requestFromHarperJson(entry.method.input, fillPlaceholders(request, clocks) as JsonObject), where);
      const response = step.response as JsonObject;
      if (response !== null && typeof response === "object" && "raw" in response) continue;
      const message = messageFromHarperJson(entry.method.output, step.response);
      assert.deepEqual(responseToHarperJson(entry.method.output, message), step.response, where);
      checked++;
    }
    assert.ok(checked > 0 || !scenario.steps.some((s) => s.status === 200), "no step checked");
  });
}
