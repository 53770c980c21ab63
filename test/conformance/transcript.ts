import { readFileSync, readdirSync } from "node:fs";
import type { JsonObject, JsonValue } from "@bufbuild/protobuf";

// The transcript format of ../shared/conformance/README.md: one scenario per file, recorded from
// HarperDB 4.7.29, replayed step by step in file order.

/** Who a step authenticates as; see README.md "A step". */
export type AuthSpec =
  | "admin"
  | "none"
  | { basic: [string, string] }
  | { bearer: string }
  | { header: string }
  | { bearer_from_step: string; field?: string };

/** Resend a step until a value of its response satisfies a condition. */
export interface PollSpec {
  until: { pointer: string; in?: JsonValue[]; equals?: JsonValue; exists?: boolean };
  timeout_ms?: number;
  interval_ms?: number;
}

/** Narrows a response to the part the scenario owns (the recording server was shared). */
export interface SelectSpec {
  path?: string;
  field?: string;
  prefix?: string;
  values?: JsonValue[];
  keys_prefix?: string;
  keep_keys?: string[];
}

/** One recorded request and answer. */
export interface Step {
  name: string;
  auth?: AuthSpec;
  /** The JSON body, or `{"raw": "..."}` for a literal body. */
  request: JsonValue;
  headers?: Record<string, string | null>;
  delay_ms?: number;
  let?: Record<string, JsonValue>;
  poll?: PollSpec;
  bind?: Record<string, string>;
  select?: SelectSpec | SelectSpec[];
  unordered?: string[];
  compare?: "exact" | "shape" | "status";
  shape_depth?: number;
  status: number;
  response: JsonValue;
  volatile?: string[];
  note?: string;
}

/** A file the server reads (CSV, tarball) written before the scenario runs. */
export interface ScenarioFile {
  path: string;
  text?: string;
  base64?: string;
}

/** One transcript file. */
export interface Scenario {
  scenario: string;
  category: string;
  description: string;
  files?: ScenarioFile[];
  /** Requests sent as admin before and after the scenario; their answers are ignored. */
  cleanup?: JsonObject[];
  steps: Step[];
}

/** A transcript that cannot be replayed as written. */
export class TranscriptError extends Error {
  override name = "TranscriptError";
}

/** Reads every `*.json` scenario of a folder, in file name order, and checks step names are unique. */
export function loadScenarios(folder: URL): Scenario[] {
  const names = readdirSync(folder)
    .filter((name) => name.endsWith(".json"))
    .sort();
  return names.map((name) => {
    const scenario = JSON.parse(readFileSync(new URL(name, folder), "utf8")) as Scenario;
    if (typeof scenario.scenario !== "string" || !Array.isArray(scenario.steps)) {
      throw new TranscriptError(`${name} is not a scenario: it needs "scenario" and "steps"`);
    }
    const seen = new Set<string>();
    for (const step of scenario.steps) {
      if (seen.has(step.name)) throw new TranscriptError(`${name}: step name '${step.name}' is used twice`);
      seen.add(step.name);
    }
    return scenario;
  });
}

/** Whether a request is a literal body (`{"raw": "..."}`) rather than JSON to serialise. */
export function isRawBody(value: JsonValue | undefined): value is { raw: string } {
  return (
    value !== null &&
    typeof value === "object" &&
    !Array.isArray(value) &&
    Object.keys(value).length === 1 &&
    typeof value["raw"] === "string"
  );
}
